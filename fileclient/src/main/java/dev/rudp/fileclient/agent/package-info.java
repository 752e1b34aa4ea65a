/**
 * The per-user agent (ssh's ControlMaster/ControlPersist for {@code fileclient}): a JVM that holds
 * warm code and one logged-in session, served to light {@link dev.rudp.fileclient.agent.Launcher}
 * processes over a UNIX domain socket in an owner-only folder ({@link dev.rudp.fileclient.agent.AgentProtocol}
 * is the wire format). It is the first command's own JVM, which stays ({@link dev.rudp.fileclient.agent.FirstRun}),
 * or one a launcher started detached.
 */
package dev.rudp.fileclient.agent;
