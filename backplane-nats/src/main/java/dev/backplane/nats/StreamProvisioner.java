package dev.backplane.nats;

import dev.backplane.BackplaneConfigurationException;
import dev.backplane.BrokerUnavailableException;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.StreamInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * Makes sure the stream of a prefix exists and captures the prefix's subjects, creating it when
 * allowed, and says precisely what to do when it cannot. An existing stream is used as it is,
 * whatever its retention and replica count (a different replica count is logged).
 */
final class StreamProvisioner {

    private static final System.Logger LOG = System.getLogger(StreamProvisioner.class.getName());

    /** JetStream API error codes this class tells apart. */
    static final int STREAM_NOT_FOUND = 10059;
    static final int STREAM_NAME_IN_USE = 10058;
    static final int SUBJECTS_OVERLAP = 10065;
    static final int JETSTREAM_NOT_ENABLED_FOR_ACCOUNT = 10039;
    static final int JETSTREAM_NOT_ENABLED = 10076;

    private final JetStreamManagement jsm;
    private final NatsLink link;
    private final StreamSettings settings;
    private final Subjects subjects;

    StreamProvisioner(JetStreamManagement jsm, NatsLink link, StreamSettings settings, Subjects subjects) {
        this.jsm = jsm;
        this.link = link;
        this.settings = settings;
        this.subjects = subjects;
    }

    /**
     * The stream's current information, after creating it if it was missing and creation is allowed.
     *
     * @throws BackplaneConfigurationException if it is missing and may not be created, cannot be
     *     created, does not capture the prefix's subjects, or JetStream refuses this user
     * @throws BrokerUnavailableException if JetStream did not answer in time
     */
    StreamInfo ensure() {
        long mark = link.violations().mark();
        try {
            StreamInfo info = jsm.getStreamInfo(settings.stream());
            requireCapturesPrefix(info);
            warnOfOtherReplicas(info);
            return info;
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != STREAM_NOT_FOUND) {
                throw refused("look up", e);
            }
        } catch (IOException e) {
            throw noAnswer("look up", e, mark);
        }
        if (!settings.create()) {
            throw new BackplaneConfigurationException("JetStream stream '" + settings.stream() + "' does not exist on NATS at "
                    + link.description() + " and createStream=false; create it with subjects '" + subjects.allChannels()
                    + "' (e.g. nats stream add " + settings.stream() + " --subjects '" + subjects.allChannels()
                    + "'), or drop createStream=false to let the backplane create it");
        }
        return create();
    }

    private StreamInfo create() {
        long mark = link.violations().mark();
        try {
            return jsm.addStream(settings.configuration(subjects));
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == STREAM_NAME_IN_USE) {
                // Another instance created it a moment ago.
                return ensure();
            }
            if (e.getApiErrorCode() == SUBJECTS_OVERLAP) {
                throw new BackplaneConfigurationException("cannot create JetStream stream '" + settings.stream()
                        + "' on NATS at " + link.description() + ": another stream already captures subjects overlapping '"
                        + subjects.allChannels() + "' (" + e.getErrorDescription() + "); use a different prefix, or "
                        + "name that stream with the option stream=NAME", e);
            }
            throw refused("create", e);
        } catch (IOException e) {
            throw noAnswer("create", e, mark);
        }
    }

    private void requireCapturesPrefix(StreamInfo info) {
        List<String> captured = info.getConfiguration().getSubjects();
        if (!captured.contains(subjects.allChannels()) && !captured.contains(">")) {
            throw new BackplaneConfigurationException("JetStream stream '" + settings.stream() + "' on NATS at "
                    + link.description() + " captures " + captured + ", not the prefix's subjects '"
                    + subjects.allChannels() + "'; add that subject to the stream, or choose another stream with stream=NAME");
        }
    }

    /**
     * An existing stream is used as it is, like its other settings: changing its replica count is
     * the operator's decision (nats stream edit), not something a connecting instance does.
     */
    private void warnOfOtherReplicas(StreamInfo info) {
        int replicas = info.getConfiguration().getReplicas();
        if (replicas != settings.replicas()) {
            LOG.log(System.Logger.Level.WARNING, "JetStream stream ''{0}'' on NATS at {1} exists with {2} replica(s), "
                    + "not the {3} of option replicas; it is used as it is (change it with nats stream edit {0} "
                    + "--replicas {3})", settings.stream(), link.description(), replicas, settings.replicas());
        }
    }

    private BackplaneConfigurationException refused(String what, JetStreamApiException e) {
        String hint = switch (e.getApiErrorCode()) {
            case JETSTREAM_NOT_ENABLED, JETSTREAM_NOT_ENABLED_FOR_ACCOUNT ->
                    "; enable JetStream on the server (nats-server -js, or a jetstream block in its configuration) "
                            + "and for this account";
            default -> "; check the stream options and the server's JetStream limits";
        };
        return new BackplaneConfigurationException("JetStream on NATS at " + link.description() + " refused to " + what
                + " stream '" + settings.stream() + "': " + e.getErrorDescription() + " (code " + e.getApiErrorCode() + ")"
                + hint, e);
    }

    private RuntimeException noAnswer(String what, IOException e, long mark) {
        String api = "$JS.API.STREAM." + (what.equals("create") ? "CREATE." : "INFO.") + settings.stream();
        try {
            link.awaitCallbacks(Duration.ofMillis(200));
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        if (link.violations().refusedSince(PermissionViolations.Kind.PUBLISH, api, mark)) {
            return new BackplaneConfigurationException("NATS at " + link.description() + " refused this user the JetStream API ('"
                    + api + "': Permissions Violation); allow publishing to the JetStream API subjects of stream '"
                    + settings.stream() + "' and subscribing to " + link.settings().inboxPrefix()
                    + ".> (the backplane-nats README lists them)", e);
        }
        String message = String.valueOf(e.getMessage());
        if (message.contains("503")) {
            return new BackplaneConfigurationException("JetStream does not answer on NATS at " + link.description()
                    + " (no responders): enable JetStream on the server (nats-server -js) and for this account", e);
        }
        return new BrokerUnavailableException("JetStream on NATS at " + link.description() + " did not answer the request to "
                + what + " stream '" + settings.stream() + "' within connectTimeout (" + message
                + "); check that JetStream is enabled (nats-server -js) and that this user may use the JetStream API", e);
    }
}
