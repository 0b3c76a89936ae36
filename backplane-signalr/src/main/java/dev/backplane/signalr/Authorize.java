package dev.backplane.signalr;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Restricts a hub or a hub method to authenticated users, optionally with one of some roles.
 * On a hub class: an anonymous request is refused at negotiate and upgrade (401), an authenticated
 * one without a role (403). On a method: the call fails with an error completion and the
 * connection stays open.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface Authorize {

    /** Roles of which the user needs one; empty: any authenticated user. */
    String[] roles() default {};
}
