/** The client's connection and transfer engine: requests, uploads, downloads, errors and exit codes. */
package dev.rudp.fileclient.connection;
