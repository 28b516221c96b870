package io.jshim.it.support;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Registered for every test class of the module through JUnit's extension auto-detection
 * ({@code META-INF/services/org.junit.jupiter.api.extension.Extension} plus
 * {@code junit.jupiter.extensions.autodetection.enabled=true} in junit-platform.properties).
 *
 * <ul>
 *   <li>Before each class: the suite needs root. Not root: the class fails, unless
 *       {@code JSHIM_IT_SKIP=1}, which skips it. Then it makes sure the run's {@link ItSession}
 *       exists and sits in the <em>root</em> extension store, so JUnit closes it exactly once,
 *       after the last class (the session then sweeps up and deletes its work dir).</li>
 *   <li>Each test method may take a {@link TestBed} parameter: made fresh for the test, and
 *       closed after it, pass or fail. Closing deletes the test's containers and fails the test
 *       if anything is left behind.</li>
 * </ul>
 */
public final class ItExtension implements BeforeAllCallback, ParameterResolver, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ItExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!ItEnv.isRoot()) {
            if (ItEnv.skipRequested()) {
                Assumptions.abort("jshim integration tests need root: skipped (JSHIM_IT_SKIP=1)");
            }
            throw new IllegalStateException("jshim integration tests need root (containers, cgroups, mounts);"
                    + " run them as root, or set JSHIM_IT_SKIP=1 to skip them");
        }
        context.getRoot().getStore(NS).computeIfAbsent(ItSession.class, k -> ItSession.get(), ItSession.class);
    }

    @Override
    public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
        return pc.getParameter().getType() == TestBed.class;
    }

    @Override
    public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
        // one bed per test invocation, kept in the method-level store until afterEach
        return ec.getStore(NS).computeIfAbsent(TestBed.class,
                k -> new TestBed(ItSession.get(), label(ec)), TestBed.class);
    }

    @Override
    public void afterEach(ExtensionContext ec) {
        TestBed bed = ec.getStore(NS).remove(TestBed.class, TestBed.class);
        if (bed != null) {
            bed.close(); // throws AssertionError (failing the test) if anything is left
        }
    }

    private static String label(ExtensionContext ec) {
        String cls = ec.getTestClass().map(Class::getSimpleName).orElse("test");
        String m = ec.getTestMethod().map(java.lang.reflect.Method::getName).orElse("");
        return cls.replaceFirst("IT$", "") + "." + m;
    }
}
