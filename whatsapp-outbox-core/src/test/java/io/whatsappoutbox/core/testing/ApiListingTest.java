package io.whatsappoutbox.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.whatsappoutbox.core.internal.SafeText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The listing shows what a user of a module can reach, in full signatures, and nothing else. */
public class ApiListingTest {
    private String update;

    /** The run that regenerates the modules' listings must not skip this test's comparisons. */
    @BeforeEach
    void compareEvenWhenTheListingsAreRegenerated() {
        update = System.clearProperty(ApiListing.UPDATE_PROPERTY);
    }

    @AfterEach
    void restore() {
        if (update != null) {
            System.setProperty(ApiListing.UPDATE_PROPERTY, update);
        }
    }

    /** A type with one of each kind of member. */
    public static class Sample<T extends Comparable<T>> implements Supplier<List<? extends T>> {
        public static final int LIMIT = 3;
        protected String name;
        int packagePrivateField;

        public Sample(String... names) {}

        Sample() {}

        @Override
        public List<? extends T> get() {
            return List.of();
        }

        public <R> Map<String, R[]> convert(Function<? super T, R> f) throws IOException {
            return Map.of();
        }

        protected void forSubclasses() {}

        void packagePrivate() {}

        @SuppressWarnings("unused")
        private void secret() {}
    }

    public sealed interface Shape permits Circle {
        double area();

        default boolean isEmpty() {
            return area() == 0;
        }
    }

    public record Circle(double radius) implements Shape {
        @Override
        public double area() {
            return Math.PI * radius * radius;
        }
    }

    /** Leaks an internal type through a public method. */
    public static class Leaky {
        public SafeText helper() {
            return null;
        }
    }

    static class PackagePrivate {
        public void unreachable() {}
    }

    @Test
    void listsATypeAndItsMembersInFullGenericSignatures() {
        assertThat(ApiListing.header(Sample.class)).isEqualTo("public static class "
                + "io.whatsappoutbox.core.testing.ApiListingTest.Sample<T extends java.lang.Comparable<T>> "
                + "implements java.util.function.Supplier<java.util.List<? extends T>>");
        assertThat(ApiListing.members(Sample.class)).containsExactly(
                "  public static final int LIMIT",
                "  protected java.lang.String name",
                "  public Sample(java.lang.String...)",
                "  public <R> java.util.Map<java.lang.String, R[]> convert(java.util.function.Function<? super T, R>)"
                        + " throws java.io.IOException",
                "  protected void forSubclasses()",
                "  public java.util.List<? extends T> get()");
    }

    @Test
    void showsSealedHierarchiesRecordsAndDefaultMethods() {
        assertThat(ApiListing.header(Shape.class)).isEqualTo("public sealed interface "
                + "io.whatsappoutbox.core.testing.ApiListingTest.Shape permits "
                + "io.whatsappoutbox.core.testing.ApiListingTest.Circle");
        assertThat(ApiListing.members(Shape.class)).containsExactly("  public abstract double area()",
                "  public default boolean isEmpty()");
        assertThat(ApiListing.header(Circle.class)).isEqualTo("public record "
                + "io.whatsappoutbox.core.testing.ApiListingTest.Circle implements "
                + "io.whatsappoutbox.core.testing.ApiListingTest.Shape");
        // equals, hashCode and toString are every record's: not listed
        assertThat(ApiListing.members(Circle.class)).containsExactly("  public Circle(double)",
                "  public double area()", "  public double radius()");
    }

    @Test
    void leavesOutWhatAUserCannotReach() {
        Runnable anonymous = new Runnable() {
            @Override
            public void run() {}
        };
        assertThat(ApiListing.exported(List.of(Sample.class, PackagePrivate.class, SafeText.class,
                anonymous.getClass(), ApiListingTest.class))).containsExactly(Sample.class, ApiListingTest.class);
    }

    @Test
    void anInternalTypeInAPublicSignatureFailsUnlessItIsAKnownLeak(@TempDir Path dir) {
        String leak = "  public io.whatsappoutbox.core.internal.SafeText helper()";
        assertThatThrownBy(() -> ApiListing.check("fixture", List.of(Leaky.class), dir, List.of()))
                .hasMessageContaining("names internal types").hasMessageContaining(leak);
        assertThatThrownBy(() -> ApiListing.check("fixture", List.of(Leaky.class), dir, List.of(leak)))
                .hasMessageNotContaining("names internal types").hasMessageContaining("is not the one in");
    }

    @Test
    void aDifferenceIsShownByTypeWithTheCommandThatAcceptsIt() {
        List<String> file = List.of("# header", "public final class a.B", "  public void kept()",
                "  public void removed()", "public final class a.Gone", "  public void x()");
        List<String> classes = List.of("# header", "public final class a.B", "  public void added()",
                "  public void kept()");

        String diff = ApiListing.difference("whatsapp-outbox-x", Path.of("api/whatsapp-outbox-x.api"), file, classes);

        assertThat(diff).contains("  public final class a.B\n-   public void removed()\n+   public void added()\n")
                .contains("- public final class a.Gone\n-   public void x()\n")
                .doesNotContain("kept")
                .contains("-pl whatsapp-outbox-x -am verify -Dtest=PublicApiTest")
                .contains("-Dapi.update=true");
    }

    @Test
    void failsOnAnyChangeAndRewritesTheFileWhenAsked(@TempDir Path dir) throws IOException {
        try {
            assertThatThrownBy(() -> ApiListing.check("fixture", List.of(Sample.class), dir, List.of()))
                    .isInstanceOf(AssertionError.class).hasMessageContaining("+ public static class "
                            + "io.whatsappoutbox.core.testing.ApiListingTest.Sample");

            System.setProperty(ApiListing.UPDATE_PROPERTY, "true");
            ApiListing.check("fixture", List.of(Sample.class), dir, List.of());
            System.clearProperty(ApiListing.UPDATE_PROPERTY);
            ApiListing.check("fixture", List.of(Sample.class), dir, List.of());

            Path file = dir.resolve("fixture.api");
            Files.writeString(file, Files.readString(file).replace("  public java.util.List<? extends T> get()\n", ""));
            assertThatThrownBy(() -> ApiListing.check("fixture", List.of(Sample.class), dir, List.of()))
                    .hasMessageContaining("+   public java.util.List<? extends T> get()");
        } finally {
            System.clearProperty(ApiListing.UPDATE_PROPERTY);
        }
    }
}
