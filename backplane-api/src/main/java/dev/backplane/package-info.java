/**
 * The backplane SPI: {@link dev.backplane.Backplane} publishes bytes to logical channels and
 * delivers them to every subscription on every instance sharing the broker and prefix;
 * {@link dev.backplane.Capabilities} says what it guarantees; {@link dev.backplane.Backplanes}
 * opens one by URI. The rules every implementation keeps are in {@code CONTRACT.md}.
 */
package dev.backplane;
