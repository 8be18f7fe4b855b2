package io.whatsappoutbox.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.Template;
import io.whatsappoutbox.core.TemplateDefinition;
import io.whatsappoutbox.core.TemplateDefinition.Button;
import io.whatsappoutbox.core.TemplateDefinition.Category;
import io.whatsappoutbox.core.TemplateDefinition.Header;
import io.whatsappoutbox.core.TemplateDefinition.ParameterFormat;
import io.whatsappoutbox.core.TemplateDefinition.Status;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Every rule of the enqueue's template check, over its many cases: each refusal names its field. */
class TemplateChecksProperties {
    static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

    static TemplateDefinition positional(int body, Header header, List<Button> buttons, Status status) {
        return new TemplateDefinition("1", "t", "fr", status, Category.UTILITY, ParameterFormat.POSITIONAL, header,
                IntStream.rangeClosed(1, body).mapToObj(String::valueOf).toList(), buttons, null, null, T0);
    }

    static List<String> fields(List<InvalidInputException.Violation> problems) {
        return problems.stream().map(InvalidInputException.Violation::field).toList();
    }

    static Template body(int n) {
        return Template.named("t", "fr").withParameters(IntStream.range(0, n)
                .mapToObj(i -> Template.Parameter.positional("v" + i)).toList());
    }

    @Property
    void onlyTheTemplatesNumberOfBodyParametersPasses(@ForAll @IntRange(min = 0, max = 6) int expected,
            @ForAll @IntRange(min = 0, max = 6) int sent) {
        List<InvalidInputException.Violation> problems = TemplateChecks.problems(body(sent),
                positional(expected, null, List.of(), Status.APPROVED));
        if (expected == sent) {
            assertThat(problems).isEmpty();
        } else {
            assertThat(fields(problems)).containsExactly("content.template.parameters");
            assertThat(problems.get(0).problem()).contains("'t' (fr)");
        }
    }

    @Property
    void onlyASendableStatusPasses(@ForAll Status status) {
        List<InvalidInputException.Violation> problems = TemplateChecks.problems(body(1),
                positional(1, null, List.of(), status));
        if (status.sendable()) {
            assertThat(problems).isEmpty();
        } else {
            assertThat(fields(problems)).containsExactly("content.template.name");
            assertThat(problems.get(0).problem()).contains(status.name());
        }
    }

    static Template withHeader(Template t, Template.Header.Type type) {
        return switch (type) {
            case TEXT -> t.headerText("x");
            case IMAGE -> t.headerImage(URI.create("https://example.com/a.jpg"));
            case VIDEO -> t.headerVideo(URI.create("https://example.com/a.mp4"));
            case DOCUMENT -> t.headerDocument(URI.create("https://example.com/a.pdf"), "a.pdf");
            case LOCATION -> t.headerLocation(new io.whatsappoutbox.core.Location(48.85, 2.35, "Paris", null));
        };
    }

    @Property
    void aHeaderPassesOnlyWhenItsFormatIsTheTemplates(@ForAll("headers") Template.Header.Type expected,
            @ForAll("headers") Template.Header.Type sent) {
        Header header = expected == null ? null : new Header(expected, expected == Template.Header.Type.TEXT ? "1" : null);
        Template t = sent == null ? body(0) : withHeader(body(0), sent);
        List<InvalidInputException.Violation> problems = TemplateChecks.problems(t,
                positional(0, header, List.of(), Status.APPROVED));
        if (expected == sent) {
            assertThat(problems).isEmpty();
        } else {
            assertThat(fields(problems)).containsExactly("content.template.header");
        }
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Template.Header.Type> headers() {
        return net.jqwik.api.Arbitraries.of(Template.Header.Type.values()).injectNull(0.3);
    }

    @Property
    void everyButtonThatTakesAParameterNeedsOne(@ForAll List<@IntRange(min = 0, max = 2) Integer> kinds,
            @ForAll List<Boolean> sentMask) {
        // kind 0 quick reply (takes nothing), 1 URL with a variable, 2 copy code
        List<Button> buttons = new ArrayList<>();
        for (int i = 0; i < Math.min(kinds.size(), 10); i++) {
            int k = kinds.get(i);
            buttons.add(new Button(i, k == 0 ? "QUICK_REPLY" : k == 1 ? "URL" : "COPY_CODE", k != 0));
        }
        Template t = body(0);
        List<String> expectedFields = new ArrayList<>();
        for (Button b : buttons) {
            boolean sent = b.index() < sentMask.size() && sentMask.get(b.index());
            if (sent) {
                t = switch (b.type()) {
                    case "QUICK_REPLY" -> t.quickReplyButton(b.index(), "p");
                    case "URL" -> t.urlButton(b.index(), "s");
                    default -> t.copyCodeButton(b.index(), "CODE");
                };
            } else if (b.takesParameter()) {
                expectedFields.add("content.template.buttons[" + b.index() + "]");
            }
        }
        List<InvalidInputException.Violation> problems = TemplateChecks.problems(t,
                positional(0, null, buttons, Status.APPROVED));
        assertThat(fields(problems)).containsExactlyElementsOf(expectedFields);
    }
}
