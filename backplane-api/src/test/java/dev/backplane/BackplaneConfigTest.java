package dev.backplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Options from the URI and the map: parsing, typed values, defaults, and errors that say what is wrong. */
class BackplaneConfigTest {

    private static BackplaneConfig config(String uri) {
        return BackplaneConfig.of(URI.create(uri), Map.of());
    }

    private static BackplaneConfig withOption(String name, String value) {
        return BackplaneConfig.of(URI.create("mem://x"), Map.of(name, value));
    }

    @Test
    void defaultsApplyWhenNothingIsGiven() {
        BackplaneConfig c = config("mem://x");
        assertThat(c.prefix()).isEqualTo("backplane");
        assertThat(c.provider()).isNull();
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.publishTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.ackTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void optionsComeFromTheQueryDecodedAndTheMapWins() {
        Map<String, String> overrides = new HashMap<>();
        overrides.put("publishTimeout", "2s");
        BackplaneConfig c = BackplaneConfig.of(URI.create("mem://x?prefix=chat&publishTimeout=9s&note=a%20b%26c"),
                overrides);
        assertThat(c.prefix()).isEqualTo("chat");
        assertThat(c.publishTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.option("note", null)).isEqualTo("a b&c");
        assertThat(c.options()).containsOnlyKeys("prefix", "publishTimeout", "note");
    }

    @ParameterizedTest
    @CsvSource({"250ms, 250", "5s, 5000", "1.5s, 1500", "2m, 120000", "PT5S, 5000", "pt1m, 60000", "1000, 1000",
            "' 3s ', 3000"})
    void durationsAreReadInEveryDocumentedForm(String raw, long millis) {
        assertThat(withOption("connectTimeout", raw).connectTimeout()).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "0s", "-5s", "PT-1S"})
    void durationsMustBePositive(String raw) {
        assertThatThrownBy(() -> withOption("ackTimeout", raw).ackTimeout())
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("option 'ackTimeout' has value '" + raw + "'")
                .hasMessageContaining("a positive duration");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "5w", "s", "ms", "PTxS", "1.5.2m", "5sec", "5 s", "1e3"})
    void malformedDurationsNameOptionValueAndTheExpectedForm(String raw) {
        assertThatThrownBy(() -> withOption("publishTimeout", raw).publishTimeout())
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("option 'publishTimeout' has value '" + raw + "'")
                .hasMessageContaining("250ms, 1.5s, 2m or PT5S");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1500", "1500ms", "1.5s", "0.025m", "PT1.5S"})
    void durationsAcceptEveryDocumentedUnit(String raw) {
        assertThat(withOption("publishTimeout", raw).publishTimeout()).isEqualTo(java.time.Duration.ofMillis(1500));
    }

    @Test
    void hoursAndDaysAreAccepted() {
        assertThat(withOption("publishTimeout", "2h").publishTimeout()).isEqualTo(java.time.Duration.ofHours(2));
        assertThat(withOption("publishTimeout", "7d").publishTimeout()).isEqualTo(java.time.Duration.ofDays(7));
    }

    @Test
    void longOptionsAreCheckedAgainstTheirRange() {
        assertThat(withOption("retain", " 42 ").longOption("retain", 7, 0, 100)).isEqualTo(42);
        assertThat(config("mem://x").longOption("retain", 7, 0, 100)).isEqualTo(7);
        assertThatThrownBy(() -> withOption("retain", "101").longOption("retain", 7, 0, 100))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("option 'retain' has value '101'")
                .hasMessageContaining("a whole number from 0 to 100");
        assertThatThrownBy(() -> withOption("retain", "lots").longOption("retain", 7, 0, 100))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("option 'retain' has value 'lots'");
    }

    @Test
    void booleanOptionsAcceptTrueAndFalseOnly() {
        assertThat(withOption("tls", "TRUE").booleanOption("tls", false)).isTrue();
        assertThat(withOption("tls", "false").booleanOption("tls", true)).isFalse();
        assertThat(config("mem://x").booleanOption("tls", true)).isTrue();
        assertThatThrownBy(() -> withOption("tls", "yes").booleanOption("tls", false))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("option 'tls' has value 'yes'")
                .hasMessageContaining("true or false");
    }

    @Test
    void aQueryPairWithoutValueIsRefused() {
        assertThatThrownBy(() -> config("mem://x?prefix"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("malformed option 'prefix'")
                .hasMessageContaining("write name=value");
        assertThatThrownBy(() -> config("mem://x?=chat"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("malformed option '=chat'");
    }

    @Test
    void aMalformedQueryIsRefusedWithoutShowingThePassword() {
        assertThatThrownBy(() -> config("redis://app:s3cret@h1:7000?prefix"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("redis://app:***@h1:7000")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> config("kafkas://app:s3cret@b1:9093,b2:9093?prefix=a&prefix=b"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("app:***@b1:9093,b2:9093")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void anOptionGivenTwiceInTheQueryIsRefused() {
        assertThatThrownBy(() -> config("mem://x?prefix=a&prefix=b"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("option 'prefix' is given twice");
    }

    @Test
    void anIllegalPrefixIsRefusedNamingTheOption() {
        assertThatThrownBy(() -> config("mem://x?prefix=my.app"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("illegal prefix 'my.app'")
                .hasMessageContaining("option 'prefix'");
    }

    @Test
    void nullOptionNamesAndValuesAreRefused() {
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("prefix", null);
        assertThatThrownBy(() -> BackplaneConfig.of(URI.create("mem://x"), nullValue))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("value of option prefix");
        Map<String, String> nullName = new HashMap<>();
        nullName.put(null, "x");
        assertThatThrownBy(() -> BackplaneConfig.of(URI.create("mem://x"), nullName))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("option name");
    }

    @Test
    void passwordsNeverAppearInMessages() {
        BackplaneConfig c = config("redis://user:s3cret@host:1234?prefix=p&bogus=1");
        assertThat(c.redactedUri()).isEqualTo("redis://user:***@host:1234?prefix=p&bogus=1");
        assertThat(c.toString()).doesNotContain("s3cret");
        assertThatThrownBy(() -> c.requireKnownOptions("redis", Set.of()))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageNotContaining("s3cret")
                .hasMessageContaining("unknown option [bogus] for provider 'redis'");
        assertThatThrownBy(() -> BackplaneConfig.of(URI.create("redis://user:s3cret@host:1?publishTimeout=x"), Map.of())
                .publishTimeout()).hasMessageNotContaining("s3cret");
    }

    @Test
    void secretOptionsInTheQueryNeverAppearInMessages() {
        BackplaneConfig c = config("kafka://h:1?saslPassword=s3cret&tlsKeyStorePassword=k3y&authToken=t0k&prefix=p");
        assertThat(c.redactedUri())
                .isEqualTo("kafka://h:1?saslPassword=***&tlsKeyStorePassword=***&authToken=***&prefix=p");
        assertThat(c.toString()).doesNotContain("s3cret", "k3y", "t0k");
    }

    @Test
    void aPasswordBeforeSeveralHostsNeverAppearsInMessages() {
        BackplaneConfig c = config("redis-sentinel://user:s3cret@h1:26380,h2:26381/?master=m&sentinelPassword=p4ss");
        assertThat(c.redactedUri()).isEqualTo("redis-sentinel://user:***@h1:26380,h2:26381/?master=m&sentinelPassword=***");
        assertThat(c.toString()).doesNotContain("s3cret", "p4ss");
    }

    @Test
    void thePasswordBeforeAListOfHostsNeverAppearsInMessages() {
        BackplaneConfig c = config("kafkas://user:s3cret@h1:1,h2:2?prefix=p");
        assertThat(c.uri().getRawUserInfo()).as("what java.net.URI reads of such an authority").isNull();
        assertThat(c.rawUserInfo()).isEqualTo("user:s3cret");
        assertThat(c.redactedUri()).isEqualTo("kafkas://user:***@h1:1,h2:2?prefix=p");
        assertThat(c.toString()).doesNotContain("s3cret");
        assertThat(config("kafka://h1:1,h2:2").rawUserInfo()).isNull();
        assertThat(c.rawHosts()).isEqualTo("h1:1,h2:2");
        assertThat(config("kafka://h1:1,h2:2").rawHosts()).isEqualTo("h1:1,h2:2");
        assertThat(config("redis://u:p@h:1").rawHosts()).isEqualTo("h:1");
    }

    @Test
    void aUserWithoutPasswordIsShownAsItIs() {
        assertThat(config("redis://user@host:1").redactedUri()).isEqualTo("redis://user@host:1");
    }

    @Test
    void knownOptionsAreTheCommonOnesAndTheProvidersOwn() {
        BackplaneConfig c = BackplaneConfig.of(URI.create("x://h"), Map.of("prefix", "p", "retain", "1"));
        c.requireKnownOptions("mem", Set.of("retain"));
        assertThatThrownBy(() -> c.requireKnownOptions("other", Set.of("depth")))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("unknown option [retain] for provider 'other'")
                .hasMessageContaining("accepted options: [ackTimeout, connectTimeout, depth, maxPendingPublishes, maxSubscriberBacklog, maxUnacknowledged, outboxBytes, prefix, provider, publishTimeout]");
    }
}
