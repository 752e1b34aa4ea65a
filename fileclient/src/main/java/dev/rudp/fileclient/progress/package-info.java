/** Transfer progress display: a bar on terminals, plain periodic lines elsewhere. */
package dev.rudp.fileclient.progress;
