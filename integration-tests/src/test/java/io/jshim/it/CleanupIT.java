package io.jshim.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jshim.it.support.ItSession;
import java.util.List;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * After the whole suite: nothing made by any test is left — no process, mount, cgroup or state
 * dir — compared with the snapshot the run took when it started.
 *
 * <p>Why a test class and not a hook: junit-platform.properties sets
 * {@link ClassOrderer.OrderAnnotation} as the class order, and this class has the highest
 * {@code @Order}, so it runs after every other class of the launcher session (surefire runs all
 * classes of the module in one session, in one JVM). A failing assertion here is an ordinary test
 * failure that fails the build, which an exception in a {@code LauncherSessionListener} or a
 * store's close hook would not reliably do. The run's {@link ItSession} (closed by JUnit after
 * this class, through the root extension store) then sweeps up anything left, so that one bad run
 * does not spoil the next. When only some classes are selected ({@code -Dtest=...}) this class
 * does not run; each test's own clean-up check still does.
 */
@Order(Integer.MAX_VALUE)
class CleanupIT {

    @Test
    void nothingIsLeftBehindByTheWholeSuite() {
        ItSession session = ItSession.get();
        List<String> leaks = session.leaksSinceStart();
        assertTrue(leaks.isEmpty(), () -> "the integration tests left behind (run " + session.token() + "):\n  "
                + String.join("\n  ", leaks));
    }
}
