/**
 * The per-user agent (ssh's ControlMaster/ControlPersist for {@code fileclient}): a detached JVM that
 * holds warm code and one logged-in session, served to light {@link dev.rudp.fileclient.agent.Launcher}
 * processes over a UNIX domain socket in an owner-only folder ({@link dev.rudp.fileclient.agent.AgentProtocol}
 * is the wire format).
 */
package dev.rudp.fileclient.agent;
