package io.whatsappoutbox.core.testing;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A module's public API as text, one line per type and one per member, checked in next to the
 * module ({@code api/<module>.api}) and compared by a test of the module's own build, so that a
 * change of the API is seen in review and made on purpose. Read from the compiled classes by
 * reflection: every public or protected type outside an {@code internal} package, with its
 * public and protected constructors, methods and fields, in full generic signatures.
 *
 * <p>A module's test is one line: {@code ApiListing.assertMatches(AnyMainClass.class, "whatsapp-outbox-x")}.
 * With {@code -Dapi.update=true} it rewrites the file instead of comparing. Either way a type of an
 * {@code internal} package in a public signature fails it: what is internal may change at any
 * time, so no user may be made to name it.
 */
public final class ApiListing {
    static final String UPDATE_PROPERTY = "api.update";

    private ApiListing() {}

    /**
     * Compares the API of the classes compiled with {@code anchor} (its module's main classes) with
     * {@code api/<module>.api} in the working directory (the module's), and fails with the
     * difference and the command that regenerates the file.
     */
    public static void assertMatches(Class<?> anchor, String module) {
        assertMatches(anchor, module, List.of());
    }

    /**
     * The same, tolerating the internal types of {@code knownLeaks} (whole listing lines, such as
     * {@code "  public Foo build(io.whatsappoutbox.core.internal.Bar)"}) until they are removed.
     */
    public static void assertMatches(Class<?> anchor, String module, List<String> knownLeaks) {
        check(module, exported(classesOf(anchor)), Path.of("api"), knownLeaks);
    }

    static void check(String module, List<Class<?>> types, Path directory, List<String> knownLeaks) {
        Path file = directory.resolve(module + ".api");
        List<String> actual = listing(module, types);
        List<String> leaks = actual.stream().filter(l -> !l.startsWith("#") && l.contains(".internal."))
                .filter(l -> !knownLeaks.contains(l)).toList();
        if (!leaks.isEmpty()) {
            fail("The public API of " + module + " names internal types, which may change at any time:\n"
                    + String.join("\n", leaks) + "\nMove the type out of internal, or keep it out of the signature.");
        }
        if (Boolean.getBoolean(UPDATE_PROPERTY)) {
            write(file, actual);
            return;
        }
        List<String> expected = Files.exists(file) ? read(file) : List.of();
        if (!expected.equals(actual)) {
            fail(difference(module, file, expected, actual));
        }
    }

    /** The listing of {@code types}, a header first, types by name, members sorted within each. */
    static List<String> listing(String module, Collection<Class<?>> types) {
        List<String> lines = new ArrayList<>();
        lines.add("# The public API of " + module + ": every change is a decision. Regenerate with");
        lines.add("# " + command(module));
        types.stream().sorted((a, b) -> name(a).compareTo(name(b))).forEach(t -> {
            lines.add(header(t));
            lines.addAll(members(t));
        });
        return lines;
    }

    /** The types a user of the module sees: public or protected, outside internal packages. */
    static List<Class<?>> exported(Collection<Class<?>> classes) {
        return classes.stream().filter(ApiListing::isExported).toList();
    }

    static boolean isExported(Class<?> c) {
        if (c.isSynthetic() || c.isAnonymousClass() || c.isLocalClass()) {
            return false;
        }
        if (Arrays.asList(c.getPackageName().split("\\.")).contains("internal")) {
            return false;
        }
        int m = c.getModifiers();
        if (!Modifier.isPublic(m) && !Modifier.isProtected(m)) {
            return false;
        }
        return c.getEnclosingClass() == null || isExported(c.getEnclosingClass());
    }

    /** Every class compiled into the directory or jar that holds {@code anchor}. */
    static List<Class<?>> classesOf(Class<?> anchor) {
        Path root;
        try {
            root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the classes of " + anchor, e);
        }
        if (Files.isDirectory(root)) {
            return load(root, anchor.getClassLoader());
        }
        try (FileSystem jar = FileSystems.newFileSystem(root)) {
            return load(jar.getPath("/"), anchor.getClassLoader());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Class<?>> load(Path root, ClassLoader loader) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .filter(p -> p.endsWith(".class") && !p.endsWith("module-info.class")
                            && !p.endsWith("package-info.class"))
                    .sorted()
                    .map(p -> p.substring(0, p.length() - ".class".length()).replace('/', '.'))
                    .<Class<?>>map(n -> {
                        try {
                            return Class.forName(n, false, loader);
                        } catch (ClassNotFoundException e) {
                            throw new IllegalStateException("cannot load " + n, e);
                        }
                    })
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String header(Class<?> c) {
        StringBuilder s = new StringBuilder(modifiers(c));
        s.append(kind(c)).append(' ').append(name(c)).append(typeParameters(c.getTypeParameters()));
        Type superclass = c.getGenericSuperclass();
        if (superclass != null && superclass != Object.class && !c.isEnum() && !c.isRecord()) {
            s.append(" extends ").append(type(superclass));
        }
        List<String> interfaces = Arrays.stream(c.getGenericInterfaces())
                .filter(i -> !(c.isAnnotation() && i == java.lang.annotation.Annotation.class))
                .map(ApiListing::type).toList();
        if (!interfaces.isEmpty()) {
            s.append(c.isInterface() ? " extends " : " implements ").append(String.join(", ", interfaces));
        }
        if (c.isSealed()) {
            s.append(" permits ").append(Arrays.stream(c.getPermittedSubclasses()).map(ApiListing::name)
                    .sorted().collect(Collectors.joining(", ")));
        }
        return s.toString();
    }

    private static String modifiers(Class<?> c) {
        int m = c.getModifiers();
        List<String> words = new ArrayList<>();
        words.add(Modifier.isPublic(m) ? "public" : "protected");
        if (Modifier.isStatic(m) && c.getEnclosingClass() != null && !c.isInterface() && !c.isEnum()
                && !c.isRecord()) {
            words.add("static");
        }
        if (Modifier.isAbstract(m) && !c.isInterface()) {
            words.add("abstract");
        }
        if (Modifier.isFinal(m) && !c.isEnum() && !c.isRecord()) {
            words.add("final");
        }
        if (c.isSealed()) {
            words.add("sealed");
        } else if (!Modifier.isFinal(m) && supertypes(c).anyMatch(Class::isSealed)) {
            words.add("non-sealed");
        }
        return String.join(" ", words) + " ";
    }

    private static Stream<Class<?>> supertypes(Class<?> c) {
        return Stream.concat(Stream.ofNullable(c.getSuperclass()), Arrays.stream(c.getInterfaces()));
    }

    private static String kind(Class<?> c) {
        if (c.isAnnotation()) {
            return "@interface";
        }
        if (c.isInterface()) {
            return "interface";
        }
        if (c.isEnum()) {
            return "enum";
        }
        return c.isRecord() ? "record" : "class";
    }

    /**
     * The members a user can call: those {@code c} declares, and those it inherits from a
     * superclass that is not exported itself (they are reachable only through {@code c}). Left
     * out, as every type of its kind has them: {@code equals}, {@code hashCode} and
     * {@code toString}, an enum's {@code values} and {@code valueOf}. Fields, constructors and
     * methods, each by name and parameters.
     */
    static List<String> members(Class<?> c) {
        Map<String, String> fields = new TreeMap<>();
        Map<String, String> constructors = new TreeMap<>();
        Map<String, String> methods = new TreeMap<>();
        for (Constructor<?> k : c.getDeclaredConstructors()) {
            if (visible(k) && !(c.isEnum())) {
                constructors.put(parameters(k), executable(k, c.getSimpleName(), null));
            }
        }
        for (Class<?> owner = c; owner != null && (owner == c || !isExported(owner))
                && !owner.getName().startsWith("java."); owner = owner.getSuperclass()) {
            for (Field f : owner.getDeclaredFields()) {
                if (visible(f)) {
                    fields.putIfAbsent(f.getName(),
                            memberModifiers(f.getModifiers(), false) + type(f.getGenericType()) + " " + f.getName());
                }
            }
            for (Method m : owner.getDeclaredMethods()) {
                if (visible(m) && !m.isBridge() && !isImplicit(c, m)) {
                    methods.putIfAbsent(m.getName() + parameters(m), executable(m, m.getName(), m.getGenericReturnType()));
                }
            }
        }
        List<String> lines = new ArrayList<>();
        Stream.of(fields, constructors, methods).flatMap(m -> m.values().stream()).forEach(l -> lines.add("  " + l));
        return lines;
    }

    private static boolean isImplicit(Class<?> c, Method m) {
        String signature = m.getName() + Arrays.toString(m.getParameterTypes());
        return switch (signature) {
            case "equals[class java.lang.Object]", "hashCode[]", "toString[]" -> true;
            case "values[]", "valueOf[class java.lang.String]" -> c.isEnum() && Modifier.isStatic(m.getModifiers());
            default -> false;
        };
    }

    private static String parameters(Executable e) {
        return Arrays.stream(e.getGenericParameterTypes()).map(ApiListing::type).collect(Collectors.joining(", ", "(", ")"));
    }

    private static boolean visible(Member m) {
        return !m.isSynthetic() && (Modifier.isPublic(m.getModifiers()) || Modifier.isProtected(m.getModifiers()));
    }

    private static String executable(Executable e, String name, Type returnType) {
        boolean isDefault = e instanceof Method m && m.isDefault();
        StringBuilder s = new StringBuilder(memberModifiers(e.getModifiers(), isDefault));
        String typeParameters = typeParameters(e.getTypeParameters());
        if (!typeParameters.isEmpty()) {
            s.append(typeParameters).append(' ');
        }
        if (returnType != null) {
            s.append(type(returnType)).append(' ');
        }
        List<String> parameters = Arrays.stream(e.getGenericParameterTypes()).map(ApiListing::type)
                .collect(Collectors.toCollection(ArrayList::new));
        if (e.isVarArgs() && !parameters.isEmpty()) {
            int last = parameters.size() - 1;
            String p = parameters.get(last);
            parameters.set(last, p.substring(0, p.length() - 2) + "...");
        }
        s.append(name).append('(').append(String.join(", ", parameters)).append(')');
        Type[] thrown = e.getGenericExceptionTypes();
        if (thrown.length > 0) {
            s.append(" throws ").append(Arrays.stream(thrown).map(ApiListing::type).collect(Collectors.joining(", ")));
        }
        return s.toString();
    }

    private static String memberModifiers(int m, boolean isDefault) {
        List<String> words = new ArrayList<>();
        words.add(Modifier.isPublic(m) ? "public" : "protected");
        if (isDefault) {
            words.add("default");
        }
        if (Modifier.isAbstract(m)) {
            words.add("abstract");
        }
        if (Modifier.isStatic(m)) {
            words.add("static");
        }
        if (Modifier.isFinal(m)) {
            words.add("final");
        }
        return String.join(" ", words) + " ";
    }

    private static String typeParameters(TypeVariable<?>[] variables) {
        if (variables.length == 0) {
            return "";
        }
        return Arrays.stream(variables).map(v -> {
            List<String> bounds = Arrays.stream(v.getBounds()).filter(b -> b != Object.class).map(ApiListing::type)
                    .toList();
            return bounds.isEmpty() ? v.getName() : v.getName() + " extends " + String.join(" & ", bounds);
        }).collect(Collectors.joining(", ", "<", ">"));
    }

    static String type(Type t) {
        if (t instanceof Class<?> c) {
            return c.isArray() ? type(c.getComponentType()) + "[]" : name(c);
        }
        if (t instanceof ParameterizedType p) {
            return type(p.getRawType()) + Arrays.stream(p.getActualTypeArguments()).map(ApiListing::type)
                    .collect(Collectors.joining(", ", "<", ">"));
        }
        if (t instanceof GenericArrayType g) {
            return type(g.getGenericComponentType()) + "[]";
        }
        if (t instanceof WildcardType w) {
            if (w.getLowerBounds().length > 0) {
                return "? super " + type(w.getLowerBounds()[0]);
            }
            Type upper = w.getUpperBounds()[0];
            return upper == Object.class ? "?" : "? extends " + type(upper);
        }
        return t.getTypeName();
    }

    private static String name(Class<?> c) {
        return Objects.requireNonNullElse(c.getCanonicalName(), c.getName());
    }

    /** Per type, the lines that appeared (+) and went (-), and how to accept them. */
    static String difference(String module, Path file, List<String> expected, List<String> actual) {
        Map<String, List<String>> before = byType(expected);
        Map<String, List<String>> after = byType(actual);
        StringBuilder s = new StringBuilder("The public API of ").append(module).append(" is not the one in ")
                .append(file).append(" (+ in the classes, - in the file):\n");
        TreeSet<String> types = new TreeSet<>(before.keySet());
        types.addAll(after.keySet());
        for (String type : types) {
            List<String> was = before.get(type);
            List<String> now = after.get(type);
            if (was == null || now == null) {
                String sign = was == null ? "+ " : "- ";
                s.append(sign).append(type).append('\n');
                (was == null ? now : was).forEach(l -> s.append(sign).append(l).append('\n'));
                continue;
            }
            List<String> gone = was.stream().filter(l -> !now.contains(l)).toList();
            List<String> added = now.stream().filter(l -> !was.contains(l)).toList();
            if (!gone.isEmpty() || !added.isEmpty()) {
                s.append("  ").append(type).append('\n');
                gone.forEach(l -> s.append("- ").append(l).append('\n'));
                added.forEach(l -> s.append("+ ").append(l).append('\n'));
            }
        }
        return s.append("If the change is meant, regenerate the file and commit it with the change:\n  ")
                .append(command(module)).append('\n').toString();
    }

    /** Lines grouped under their type's header; the file's own comments under "". */
    private static Map<String, List<String>> byType(List<String> lines) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        String current = null;
        for (String line : lines) {
            if (line.startsWith("#")) {
                continue;
            }
            if (!line.startsWith(" ")) {
                current = line;
                out.put(current, new ArrayList<>());
            } else if (current != null) {
                out.get(current).add(line);
            }
        }
        return out;
    }

    private static String command(String module) {
        return "mvn -B -o -pl " + module + " -am verify -Dtest=PublicApiTest -Dsurefire.failIfNoSpecifiedTests=false -D"
                + UPDATE_PROPERTY + "=true";
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, List<String> lines) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
