package io.whatsappoutbox.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LaneCursorTest {
    static final Lane A = new Lane("org-a", "WHATSAPP");
    static final Lane B = new Lane("org-b", "WHATSAPP");
    static final Lane B_SMS = new Lane("org-b", "SMS");
    static final Lane C = new Lane("org-c", "WHATSAPP");
    static final Lane D = new Lane("org-d", "WHATSAPP");

    @Test
    void lanesAreOrderedByOrgThenChannelAsTheClaimIndexIs() {
        assertThat(List.of(C, B, A, B_SMS).stream().sorted().toList()).containsExactly(A, B_SMS, B, C);
        assertThat(Lane.TOP.compareTo(A)).isNegative();
    }

    @Test
    void theFirstClaimStartsFromTheTop() {
        assertThat(new LaneCursor().from()).isEqualTo(Lane.TOP);
    }

    @Test
    void theNextClaimStartsBelowTheLowestLaneServedUnderTheCursor() {
        LaneCursor cursor = new LaneCursor();
        cursor.advance(cursor.from(), List.of(C));
        Lane from = cursor.from();
        assertThat(from).isEqualTo(C);
        cursor.advance(from, List.of(B, A, D));
        assertThat(cursor.from()).isEqualTo(A);
    }

    @Test
    void aClaimThatWrappedRightAwayMovesTheCursorToTheLowestLaneItServed() {
        LaneCursor cursor = new LaneCursor();
        cursor.advance(cursor.from(), List.of(B));
        cursor.advance(cursor.from(), List.of(D, C));
        assertThat(cursor.from()).isEqualTo(C);
    }

    @Test
    void aClaimThatServedNothingSendsTheNextBackToTheTop() {
        LaneCursor cursor = new LaneCursor();
        cursor.advance(cursor.from(), List.of(B));
        cursor.advance(cursor.from(), List.of());
        assertThat(cursor.from()).isEqualTo(Lane.TOP);
    }

    @Test
    void aClaimThatRanMeanwhileKeepsTheCursorItSet() {
        LaneCursor cursor = new LaneCursor();
        Lane from = cursor.from();
        cursor.advance(from, List.of(C));
        cursor.advance(from, List.of(A));
        assertThat(cursor.from()).isEqualTo(C);
    }
}
