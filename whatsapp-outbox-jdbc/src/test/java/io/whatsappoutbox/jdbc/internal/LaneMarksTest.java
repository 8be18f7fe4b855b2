package io.whatsappoutbox.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LaneMarksTest {
    static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");
    static final Lane A = new Lane("org-a", "WHATSAPP");
    static final Lane B = new Lane("org-b", "WHATSAPP");
    static final Instant OLD = NOW.minus(LaneMarks.MARK_MIN_LAG).minusSeconds(60);
    final LaneMarks marks = new LaneMarks();

    /** {@code n} messages taken from a lane, due a second apart from {@code from}. */
    static List<LaneMarks.Taken> taken(Lane lane, int n, Instant from) {
        List<LaneMarks.Taken> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new LaneMarks.Taken(lane, from.plusSeconds(i)));
        }
        return list;
    }

    static List<LaneMarks.Taken> both(List<LaneMarks.Taken> a, List<LaneMarks.Taken> b) {
        List<LaneMarks.Taken> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @Test
    void aLaggingLaneThatGaveItsWholeShareIsMarkedAtTheEarliestDueTimeTaken() {
        marks.afterClaim(taken(A, 4, OLD), 4, NOW);
        LaneMarks.Trusted t = marks.trustedAt(NOW);
        assertThat(t.orgs()).containsExactly("org-a");
        assertThat(t.channels()).containsExactly("WHATSAPP");
        assertThat(t.from()).containsExactly(OLD);
    }

    @Test
    void aLaneThatGaveLessThanItsShareRanOutAndIsReadFromItsHeadAgain() {
        marks.afterClaim(taken(A, 4, OLD), 4, NOW);
        marks.afterClaim(taken(A, 3, OLD.plusSeconds(4)), 4, NOW.plusMillis(100));
        assertThat(marks.trustedAt(NOW.plusMillis(100)).orgs()).isEmpty();
    }

    @Test
    void aLaneThatKeepsUpIsNotMarked() {
        marks.afterClaim(taken(A, 4, NOW.minusSeconds(1)), 4, NOW);
        assertThat(marks.trustedAt(NOW).orgs()).isEmpty();
    }

    @Test
    void aMarkMovesOnButIsTrustedOnlyForItsLifetimeSinceTheLaneWasReadFromItsHead() {
        marks.afterClaim(taken(A, 4, OLD), 4, NOW);
        Instant later = NOW.plus(LaneMarks.MARK_LIFETIME).minusMillis(1);
        marks.afterClaim(taken(A, 4, OLD.plusSeconds(4)), 4, later);
        assertThat(marks.trustedAt(later).from()).containsExactly(OLD.plusSeconds(4));
        // the renewal kept the time the lane was last read from its head
        assertThat(marks.trustedAt(NOW.plus(LaneMarks.MARK_LIFETIME)).orgs()).isEmpty();
    }

    @Test
    void anExpiredMarkIsRenewedAsAFreshOne() {
        marks.afterClaim(taken(A, 4, OLD), 4, NOW);
        Instant later = NOW.plus(LaneMarks.MARK_LIFETIME).plusMillis(1);
        marks.afterClaim(taken(A, 4, OLD.plusSeconds(4)), 4, later);
        assertThat(marks.trustedAt(later.plus(LaneMarks.MARK_LIFETIME).minusMillis(1)).from())
                .containsExactly(OLD.plusSeconds(4));
    }

    @Test
    void aLaneThatGaveNothingKeepsItsMarkUntilItsLifetimeEnds() {
        marks.afterClaim(both(taken(A, 2, OLD), taken(B, 2, OLD)), 2, NOW);
        marks.afterClaim(taken(B, 2, OLD.plusSeconds(2)), 2, NOW.plusMillis(10));
        assertThat(marks.trustedAt(NOW.plusMillis(20)).orgs()).containsExactlyInAnyOrder("org-a", "org-b");
        assertThat(marks.trustedAt(NOW.plus(LaneMarks.MARK_LIFETIME)).orgs()).isEmpty();
    }

    @Test
    void aMarkIsNotTrustedBeforeTheTimeItWasMade() {
        marks.afterClaim(taken(A, 4, OLD), 4, NOW);
        assertThat(marks.trustedAt(NOW.minus(Duration.ofMillis(1))).orgs()).isEmpty();
    }
}
