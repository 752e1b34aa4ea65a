package dev.rudp.testing;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.util.HashMap;
import java.util.Map;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs one {@code @FuzzTest} in fuzzing mode, for {@code bin/fuzz}: JUnit's launcher without Maven, so
 * that the fuzzing JVM gets exactly the flags the script gives it. Arguments: {@code CLASS#METHOD} and
 * then libFuzzer flags and corpus folders (the first folder is where new inputs are written). The JVM
 * must run with {@code -DJAZZER_FUZZ=1}. Exit status 0 when the fuzzer found nothing, 1 on a finding.
 */
public final class FuzzMain {
    private FuzzMain() {
    }

    public static void main(String[] args) throws ClassNotFoundException {
        if (args.length < 1 || !args[0].contains("#")) {
            System.err.println("usage: FuzzMain CLASS#METHOD [libFuzzer flags and corpus folders...]");
            System.exit(2);
        }
        Map<String, String> config = new HashMap<>();
        config.put("junit.jupiter.extensions.autodetection.enabled", "true");
        // The whole fuzzing run is one invocation of the test method: JUnit's own timeouts must not end it.
        // Jazzer turns the target's @Timeout into libFuzzer's per-input -timeout.
        config.put("junit.jupiter.execution.timeout.mode", "disabled");
        config.put("jazzer.internal.arg.0", "fuzz");
        for (int i = 1; i < args.length; i++) {
            config.put("jazzer.internal.arg." + i, args[i]);
        }
        String className = args[0].substring(0, args[0].indexOf('#'));
        String methodName = args[0].substring(args[0].indexOf('#') + 1);
        Class<?> testClass = Class.forName(className);
        java.lang.reflect.Method method = null;
        for (java.lang.reflect.Method m : testClass.getDeclaredMethods()) {
            if (m.getName().equals(methodName)) {
                method = m;
            }
        }
        if (method == null) {
            System.err.println("no method " + methodName + " in " + className);
            System.exit(2);
        }
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectMethod(testClass, method)).configurationParameters(config).build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        launcher.execute(request, summary);
        TestExecutionSummary s = summary.getSummary();
        s.getFailures().forEach(f -> {
            System.err.println("FINDING in " + f.getTestIdentifier().getDisplayName() + ": " + f.getException());
        });
        if (s.getTestsFoundCount() == 0) {
            System.err.println("no fuzz test " + args[0]);
            System.exit(2);
        }
        System.exit(s.getTotalFailureCount() == 0 ? 0 : 1);
    }
}
