package io.jshim.shim.events;

import com.google.protobuf.Message;
import io.jshim.proto.containerd.events.TaskCheckpointed;
import io.jshim.proto.containerd.events.TaskCreate;
import io.jshim.proto.containerd.events.TaskDelete;
import io.jshim.proto.containerd.events.TaskExecAdded;
import io.jshim.proto.containerd.events.TaskExecStarted;
import io.jshim.proto.containerd.events.TaskExit;
import io.jshim.proto.containerd.events.TaskOOM;
import io.jshim.proto.containerd.events.TaskPaused;
import io.jshim.proto.containerd.events.TaskResumed;
import io.jshim.proto.containerd.events.TaskStart;
import java.util.Map;

/** The topic of each task event, as containerd's runtime/events.go names them (shim-v2-protocol.md §4.2). */
public final class EventTopics {

    public static final String TASK_CREATE = "/tasks/create";
    public static final String TASK_START = "/tasks/start";
    public static final String TASK_OOM = "/tasks/oom";
    public static final String TASK_EXIT = "/tasks/exit";
    public static final String TASK_DELETE = "/tasks/delete";
    public static final String TASK_EXEC_ADDED = "/tasks/exec-added";
    public static final String TASK_EXEC_STARTED = "/tasks/exec-started";
    public static final String TASK_PAUSED = "/tasks/paused";
    public static final String TASK_RESUMED = "/tasks/resumed";
    public static final String TASK_CHECKPOINTED = "/tasks/checkpointed";

    private static final Map<Class<? extends Message>, String> BY_TYPE = Map.of(
            TaskCreate.class, TASK_CREATE,
            TaskStart.class, TASK_START,
            TaskOOM.class, TASK_OOM,
            TaskExit.class, TASK_EXIT,
            TaskDelete.class, TASK_DELETE,
            TaskExecAdded.class, TASK_EXEC_ADDED,
            TaskExecStarted.class, TASK_EXEC_STARTED,
            TaskPaused.class, TASK_PAUSED,
            TaskResumed.class, TASK_RESUMED,
            TaskCheckpointed.class, TASK_CHECKPOINTED);

    private EventTopics() {
    }

    /** @throws IllegalArgumentException for a message that is not a task event */
    public static String topicOf(Message event) {
        String topic = BY_TYPE.get(event.getClass());
        if (topic == null) {
            throw new IllegalArgumentException("no topic for " + event.getDescriptorForType().getFullName());
        }
        return topic;
    }
}
