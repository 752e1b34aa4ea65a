/**
 * The file protocol: message types and their binary codec, independent of the transport (a Netty
 * pipeline of whole ByteBuf messages, so it runs over rudp or, behind a length-field framer, TCP).
 */
package dev.rudp.fileserver.protocol;
