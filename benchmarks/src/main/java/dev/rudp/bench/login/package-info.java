/** What a login costs the server, in CPU seconds read from /proc: key login against password login. */
package dev.rudp.bench.login;
