/** What several servers must share (login lockout, P2P presence and tickets): in memory for one server, or in Redis. */
package dev.rudp.fileserver.shared;
