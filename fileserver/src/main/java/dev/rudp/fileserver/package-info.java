/** The file server's command-line entry point (adduser, deluser, passwd, serve). */
package dev.rudp.fileserver;
