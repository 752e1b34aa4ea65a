/**
 * DTLS 1.2 beneath the rudp codec: {@link dev.rudp.dtls.DtlsHandler} turns DTLS records into plaintext
 * datagrams and back, with BouncyCastle's bctls doing the cryptography.
 */
package dev.rudp.dtls;
