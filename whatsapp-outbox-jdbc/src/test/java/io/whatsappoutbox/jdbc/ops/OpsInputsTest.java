package io.whatsappoutbox.jdbc.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.MessageStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpsInputsTest {

    @Test
    void aScopeIsOneValidOrgOrAllOrgsSaidExplicitly() {
        assertThat(Scope.org("org-1").orgIdOrNull()).isEqualTo("org-1");
        assertThat(Scope.org("org-1").label()).isEqualTo("org-1");
        assertThat(Scope.allOrgs().orgIdOrNull()).isNull();
        assertThat(Scope.allOrgs().label()).isEqualTo("*");
        assertThat(Scope.allOrgs().covers("org-2")).isTrue();
        assertThat(Scope.org("org-1").covers("*")).isFalse();
        assertThatThrownBy(() -> Scope.org(null)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> Scope.org("*")).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void anOperatorNeedsANameAndAReasonOnOneLine() {
        Operator o = Operator.of("jdoe@example.com", "  INC-4312 Meta outage  ");
        assertThat(o.reason()).isEqualTo("INC-4312 Meta outage");
        InvalidInputException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidInputException.class,
                () -> Operator.of("", "ok"));
        assertThat(e.concerns("operator")).isTrue();
        assertThat(e.concerns("reason")).isTrue();
        assertThatThrownBy(() -> Operator.of("jdoe", "x".repeat(501))).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void aDeadLetterFilterNormalisesItsListsAndDescribesItselfForTheAudit() {
        DeadLetterFilter f = DeadLetterFilter.all().withErrorCodes("131026", "131016", "131016")
                .withCategories(ErrorCategory.TEMPORARY, ErrorCategory.TEMPORARY).withMinAge(Duration.ofHours(24));
        assertThat(f.errorCodes()).containsExactly("131016", "131026");
        assertThat(f.categories()).containsExactly(ErrorCategory.TEMPORARY);
        Map<String, Object> d = f.describe();
        assertThat(d).containsEntry("status", "FAILED").containsEntry("minAge", "PT24H").containsEntry("maxAge", null)
                .containsEntry("errorCodes", List.of("131016", "131026"));
        assertThatThrownBy(() -> DeadLetterFilter.all().withErrorCodes("131016", "abc")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'abc' is not an error code");
        assertThatThrownBy(() -> DeadLetterFilter.all().withErrorCodes(Arrays.asList("1", null)))
                .isInstanceOf(InvalidInputException.class);
    }

    @Test
    void aCancelTakesOnlyStatusesTheStateMachineLetsItCancel() {
        assertThat(CancelFilter.queued().statuses()).containsExactly(MessageStatus.QUEUED);
        assertThat(CancelFilter.queued().withStatuses(MessageStatus.FAILED, MessageStatus.QUEUED).statuses())
                .containsExactly(MessageStatus.QUEUED, MessageStatus.FAILED);
        assertThatThrownBy(() -> CancelFilter.queued().withStatuses(MessageStatus.DELIVERED))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("DELIVERED");
    }

    @Test
    void anArchiveNeedsDeadLettersOlderThanADay() {
        ExportRequest export = ExportRequest.of(Path.of("dlq.csv"), ArchiveFormat.CSV, null);
        assertThat(export.filter()).isEqualTo(DeadLetterFilter.all());
        assertThatThrownBy(export::requireArchivable).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("olderThan");
        ExportRequest archive = ExportRequest.of(Path.of("dlq.csv"), ArchiveFormat.CSV,
                DeadLetterFilter.all().withMinAge(Duration.ofDays(30)));
        assertThat(archive.requireArchivable()).isSameAs(archive);
        assertThatThrownBy(() -> export.withLimit(OpsRules.MAX_ARCHIVE_LIMIT + 1)).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void bulkOptionsAreBoundedAndHaveTheRunbooksSpirit() {
        BulkOptions o = BulkOptions.defaults();
        assertThat(o.limit()).isEqualTo(100);
        assertThat(o.dryRun()).isFalse();
        assertThat(o.withDryRun(true).withLimit(10).limit()).isEqualTo(10);
        assertThat(new BulkOptions(1, 1, Duration.ZERO, false, null).progress()).isSameAs(BulkOptions.ProgressListener.NONE);
        assertThatThrownBy(() -> o.withPause(Duration.ofSeconds(-1))).isInstanceOf(InvalidInputException.class);
    }
}
