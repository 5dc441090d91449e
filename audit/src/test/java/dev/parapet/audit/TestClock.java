package dev.parapet.audit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that moves only when a test moves it. */
final class TestClock extends Clock {

    private Instant now;

    TestClock(String now) {
        this.now = Instant.parse(now);
    }

    void advance(Duration by) {
        now = now.plus(by);
    }

    void set(String time) {
        now = Instant.parse(time);
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
