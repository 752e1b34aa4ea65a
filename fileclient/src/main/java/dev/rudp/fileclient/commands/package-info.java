/** The client's commands (remote, transfer and local), their table, help and argument kinds. */
package dev.rudp.fileclient.commands;
