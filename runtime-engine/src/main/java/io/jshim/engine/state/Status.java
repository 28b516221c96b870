package io.jshim.engine.state;

/** runtime.md's container states, plus runc's "paused". */
public enum Status {
    CREATING("creating"), CREATED("created"), RUNNING("running"), PAUSED("paused"), STOPPED("stopped");

    private final String text;

    Status(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }
}
