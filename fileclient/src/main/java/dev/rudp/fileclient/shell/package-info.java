/** The interactive JLine3 shell: prompt, history, completion of commands and paths, Ctrl-C handling. */
package dev.rudp.fileclient.shell;
