/**
 * The in-memory backplane, {@code mem://NAME}: instances opened with one name in one JVM share a
 * {@link dev.backplane.memory.MemoryBus}. At-least-once, ordered, with replay; the reference the
 * compatibility kit checks itself against.
 */
package dev.backplane.memory;
