package dev.backplane.brokers;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Arrays;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Leaves the named rules of a kit subclass out of the default suite, which must stay short; they
 * run with {@code -D}{@value #FULL_KIT}{@code =true}. For a kit on a deployment that differs from a
 * plain broker only in some respects (Redis Sentinel, say), the rules left out are those that
 * exercise nothing the plain kit does not (long waits on timeouts of code the plain kit runs).
 * Each rule left out is reported as skipped, naming the property.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(LeaveOutByDefault.Condition.class)
public @interface LeaveOutByDefault {

    /** The system property that runs every rule. */
    String FULL_KIT = "backplane.fullKit";

    /** Why a TLS kit leaves out T26, T28, T44, T47, T51 and T52 (see the TLS kits). */
    String SAME_TIMERS_OVER_TLS = "over TLS they wait out the same ack, redelivery and outage timeouts, and follow the "
            + "same connection events, as the plain kit; T18 and T20 cover a restart over TLS";

    /** Prefixes of the test methods left out, such as {@code "t17_"}. */
    String[] value();

    /** Why they are left out, for the skip message. */
    String because();

    /** Evaluates {@link LeaveOutByDefault} for each test method. */
    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (context.getTestMethod().isEmpty() || Boolean.getBoolean(FULL_KIT)) {
                return ConditionEvaluationResult.enabled("every rule runs");
            }
            LeaveOutByDefault leave = context.getRequiredTestClass().getAnnotation(LeaveOutByDefault.class);
            String method = context.getRequiredTestMethod().getName();
            if (leave != null && Arrays.stream(leave.value()).anyMatch(method::startsWith)) {
                return ConditionEvaluationResult.disabled(method + " is left out of the default suite ("
                        + leave.because() + "); run it with -D" + FULL_KIT + "=true");
            }
            return ConditionEvaluationResult.enabled("not left out");
        }
    }
}
