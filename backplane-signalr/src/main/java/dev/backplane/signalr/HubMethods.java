package dev.backplane.signalr;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.type.TypeFactory;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * The methods clients may call on one hub class, found once by reflection: public instance methods
 * declared below {@link Hub}, by lower-cased name (clients' names are matched without regard to
 * case, as SignalR does), with the types to bind arguments to.
 */
final class HubMethods {

    /** How a method answers. */
    enum Answer { VALUE, ASYNC, STREAM }

    /**
     * One callable method.
     *
     * @param parameters the type of each parameter
     * @param uploads for each parameter, whether it receives a client stream (Publisher or Iterator)
     * @param uploadItemTypes the item type of each upload parameter (null elsewhere)
     * @param valueParameters how many parameters the client sends as arguments
     * @param roles the roles of which the caller needs one; null when the method is open to all
     */
    record HubMethod(Method method, String name, JavaType[] parameters, boolean[] uploads, JavaType[] uploadItemTypes,
            int valueParameters, Answer answer, Set<String> roles) {
    }

    private final Class<? extends Hub> hubClass;
    private final Map<String, HubMethod> byName = new HashMap<>();
    private final Set<String> hubRoles;

    HubMethods(Class<? extends Hub> hubClass, TypeFactory types) {
        this.hubClass = hubClass;
        Authorize classAuth = hubClass.getAnnotation(Authorize.class);
        this.hubRoles = classAuth == null ? null : Set.of(classAuth.roles());
        for (Method m : hubClass.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.isBridge() || m.isSynthetic()
                    || m.getDeclaringClass() == Object.class || m.getDeclaringClass() == Hub.class) {
                continue;
            }
            String key = m.getName().toLowerCase(Locale.ROOT);
            HubMethod previous = byName.put(key, describe(m, types));
            if (previous != null) {
                throw new IllegalArgumentException("hub " + hubClass.getName() + " has two methods named '"
                        + m.getName() + "' (" + previous.method().getName() + "): clients call methods by name, "
                        + "without regard to case, so each name may be used once");
            }
        }
        if (!Modifier.isPublic(hubClass.getModifiers())) {
            byName.values().forEach(h -> h.method().trySetAccessible());
        }
    }

    private static HubMethod describe(Method m, TypeFactory types) {
        Type[] generic = m.getGenericParameterTypes();
        JavaType[] params = new JavaType[generic.length];
        boolean[] uploads = new boolean[generic.length];
        JavaType[] items = new JavaType[generic.length];
        int values = 0;
        for (int i = 0; i < generic.length; i++) {
            params[i] = types.constructType(generic[i]);
            Class<?> raw = m.getParameterTypes()[i];
            if (raw == Flow.Publisher.class || raw == Iterator.class) {
                uploads[i] = true;
                items[i] = generic[i] instanceof ParameterizedType p
                        ? types.constructType(p.getActualTypeArguments()[0]) : types.constructType(Object.class);
            } else {
                values++;
            }
        }
        Class<?> ret = m.getReturnType();
        Answer answer = Flow.Publisher.class.isAssignableFrom(ret) || Iterator.class.isAssignableFrom(ret)
                ? Answer.STREAM : CompletionStage.class.isAssignableFrom(ret) ? Answer.ASYNC : Answer.VALUE;
        Authorize auth = m.getAnnotation(Authorize.class);
        return new HubMethod(m, m.getName(), params, uploads, items, values, answer,
                auth == null ? null : Set.of(auth.roles()));
    }

    Class<? extends Hub> hubClass() {
        return hubClass;
    }

    /** The method clients call {@code name}, or null. */
    HubMethod find(String name) {
        return byName.get(name.toLowerCase(Locale.ROOT));
    }

    /** The roles the whole hub needs (empty: any user), or null when anonymous clients may connect. */
    Set<String> hubRoles() {
        return hubRoles;
    }

    /** Whether {@code identity} may use something that needs {@code roles} (null: open to all). */
    static boolean allowed(Set<String> roles, UserIdentity identity) {
        if (roles == null) {
            return true;
        }
        if (identity == null) {
            return false;
        }
        return roles.isEmpty() || roles.stream().anyMatch(identity.roles()::contains);
    }

    List<String> names() {
        List<String> out = new ArrayList<>();
        byName.values().forEach(h -> out.add(h.name()));
        out.sort(null);
        return out;
    }

    @Override
    public String toString() {
        return hubClass.getSimpleName() + Arrays.toString(names().toArray());
    }
}
