package dev.rudp.fileclient.shell;

import dev.rudp.fileclient.commands.ClientContext;
import dev.rudp.fileclient.commands.Command;
import dev.rudp.fileclient.commands.CommandTable;
import dev.rudp.fileclient.connection.ClientException;
import dev.rudp.fileserver.cmd.Interpreter;
import dev.rudp.fileserver.protocol.FileEntry;
import dev.rudp.fileserver.protocol.Op;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

/**
 * Tab completion: command names first, then per argument what the command expects: remote paths
 * (a quick remote listing), local paths, or command names (for help and cmd).
 */
public final class ShellCompleter implements Completer {
    private static final long REMOTE_TIMEOUT_MILLIS = 3_000;

    private final CommandTable table;
    private final ClientContext ctx;

    public ShellCompleter(CommandTable table, ClientContext ctx) {
        this.table = table;
        this.ctx = ctx;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        List<String> words = line.words();
        int index = line.wordIndex();
        String word = line.word() == null ? "" : line.word().substring(0, Math.min(line.wordCursor(),
                line.word().length()));
        if (index == 0) {
            for (String n : table.names()) {
                candidates.add(new Candidate(n, n, null, null, null, null, true));
            }
            return;
        }
        Command c = table.find(words.get(0));
        if (c == null) {
            return;
        }
        int position = 0;
        for (int i = 1; i < index; i++) {
            if (!words.get(i).startsWith("-")) {
                position++;
            }
        }
        switch (c.argKind(position)) {
            case COMMAND -> {
                List<String> names = c.name().equals("cmd") ? Interpreter.COMMANDS : table.names();
                for (String n : names) {
                    candidates.add(new Candidate(n, n, null, null, null, null, true));
                }
            }
            case REMOTE -> remote(word, candidates);
            case LOCAL -> local(word, candidates);
            default -> {
            }
        }
    }

    private void remote(String word, List<Candidate> candidates) {
        int slash = word.lastIndexOf('/');
        String dir = slash < 0 ? "" : word.substring(0, slash + 1);
        try {
            List<FileEntry> entries = ctx.connection().callWithin(REMOTE_TIMEOUT_MILLIS, Op.LS,
                    List.of(dir.isEmpty() ? "" : dir)).entries();
            for (FileEntry e : entries) {
                add(candidates, dir + e.name(), e.name(), e.isDirectory());
            }
        } catch (ClientException e) {
            // nothing to offer (no such folder, refused, slow server)
        }
    }

    private void local(String word, List<Candidate> candidates) {
        int slash = word.lastIndexOf('/');
        String dir = slash < 0 ? "" : word.substring(0, slash + 1);
        Path base = dir.isEmpty() ? ctx.localCwd() : resolveLocal(dir);
        try (Stream<Path> s = Files.list(base)) {
            s.forEach(p -> add(candidates, dir + p.getFileName(), p.getFileName().toString(), Files.isDirectory(p)));
        } catch (IOException | RuntimeException e) {
            // nothing to offer
        }
    }

    private Path resolveLocal(String dir) {
        if (dir.startsWith("~/")) {
            return Path.of(System.getProperty("user.home")).resolve(dir.substring(2));
        }
        return ctx.localCwd().resolve(dir);
    }

    private static void add(List<Candidate> candidates, String value, String display, boolean dir) {
        candidates.add(new Candidate(dir ? value + "/" : value, dir ? display + "/" : display, null, null, null,
                null, !dir));
    }
}
