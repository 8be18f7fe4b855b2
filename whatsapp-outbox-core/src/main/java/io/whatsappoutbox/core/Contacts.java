package io.whatsappoutbox.core;

import io.whatsappoutbox.core.internal.Violations;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One or more contact cards (an agent's vCard), in Meta's contacts shape. Only the name's
 * {@code formattedName} and one other part of the name are required.
 */
public record Contacts(List<Contact> contacts) implements MessageContent {
    /** Meta publishes no count limit: a message carries a handful of cards, this keeps it one row. */
    public static final int CONTACTS_MAX = 20;
    /** Per list of a card (phones, emails, ...). */
    public static final int ENTRIES_MAX = 20;
    /** Meta publishes no field limit; a vCard line longer than this is no contact detail. */
    public static final int FIELD_MAX = 512;
    static final Pattern BIRTHDAY = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    static final Pattern WA_ID = Pattern.compile("[0-9]{7,15}");

    public Contacts {
        contacts = contacts == null ? List.of() : List.copyOf(contacts);
    }

    public static Contacts of(Contact... contacts) {
        return new Contacts(List.of(contacts));
    }

    /** One card. */
    public record Contact(Name name, List<Phone> phones, List<Email> emails, List<Url> urls,
            List<Address> addresses, Organization org, String birthday) {
        public Contact {
            phones = phones == null ? List.of() : List.copyOf(phones);
            emails = emails == null ? List.of() : List.copyOf(emails);
            urls = urls == null ? List.of() : List.copyOf(urls);
            addresses = addresses == null ? List.of() : List.copyOf(addresses);
        }

        /** A card with a name and phone numbers. */
        public static Contact of(Name name, Phone... phones) {
            return new Contact(name, List.of(phones), List.of(), List.of(), List.of(), null, null);
        }

        @Override
        public String toString() {
            return "Contact[" + phones.size() + " phones, " + emails.size() + " emails, " + urls.size() + " urls, "
                    + addresses.size() + " addresses" + (org != null ? ", org" : "") + "]";
        }
    }

    public record Name(String formattedName, String firstName, String lastName, String middleName, String suffix,
            String prefix) {
        public static Name of(String formattedName, String firstName, String lastName) {
            return new Name(formattedName, firstName, lastName, null, null, null);
        }

        @Override
        public String toString() {
            return "Name[...]";
        }
    }

    /** @param type CELL, MAIN, IPHONE, HOME or WORK; @param waId the WhatsApp id, digits only */
    public record Phone(String phone, String type, String waId) {
        @Override
        public String toString() {
            return "Phone[" + type + "]";
        }
    }

    /** @param type HOME or WORK */
    public record Email(String email, String type) {
        @Override
        public String toString() {
            return "Email[" + type + "]";
        }
    }

    /** @param type HOME or WORK */
    public record Url(String url, String type) {
        @Override
        public String toString() {
            return "Url[" + type + "]";
        }
    }

    /** @param countryCode ISO 3166-1 alpha-2; @param type HOME or WORK */
    public record Address(String street, String city, String state, String zip, String country, String countryCode,
            String type) {
        @Override
        public String toString() {
            return "Address[" + type + "]";
        }
    }

    public record Organization(String company, String department, String title) {
        @Override
        public String toString() {
            return "Organization[...]";
        }
    }

    @Override
    public ContentType type() {
        return ContentType.CONTACTS;
    }

    void validate(Violations v, Channel channel, String prefix) {
        String f = prefix + "contacts";
        if (!ContentRules.whatsappOnly(v, channel, f, "a contact card") || !ContentRules.count(v, f, contacts, 1,
                CONTACTS_MAX)) {
            return;
        }
        for (int i = 0; i < contacts.size(); i++) {
            Contact c = contacts.get(i);
            if (c != null) {
                validate(v, f + "[" + i + "]", c);
            }
        }
    }

    private static void validate(Violations v, String f, Contact c) {
        Name n = c.name();
        if (v.requireNonNull(f + ".name", n)) {
            ContentRules.required(v, f + ".name.formattedName", n.formattedName(), FIELD_MAX);
            String[] parts = {n.firstName(), n.lastName(), n.middleName(), n.suffix(), n.prefix()};
            String[] names = {"firstName", "lastName", "middleName", "suffix", "prefix"};
            boolean any = false;
            for (int i = 0; i < parts.length; i++) {
                ContentRules.optional(v, f + ".name." + names[i], parts[i], FIELD_MAX);
                any |= parts[i] != null;
            }
            if (!any) {
                v.add(f + ".name", "has only a formatted name",
                        "Meta requires one more part: firstName, lastName, middleName, suffix or prefix");
            }
        }
        if (ContentRules.count(v, f + ".phones", c.phones(), 0, ENTRIES_MAX)) {
            for (int i = 0; i < c.phones().size(); i++) {
                Phone p = c.phones().get(i);
                if (p != null) {
                    String pf = f + ".phones[" + i + "]";
                    ContentRules.optional(v, pf + ".phone", p.phone(), FIELD_MAX);
                    ContentRules.optional(v, pf + ".type", p.type(), FIELD_MAX);
                    v.optionalText(pf + ".waId", p.waId(), 15, WA_ID, "7 to 15 digits, no '+'");
                    if (p.phone() == null && p.waId() == null) {
                        v.add(pf, "has neither a phone nor a waId", "a phone number, a WhatsApp id or both");
                    }
                }
            }
        }
        if (ContentRules.count(v, f + ".emails", c.emails(), 0, ENTRIES_MAX)) {
            for (int i = 0; i < c.emails().size(); i++) {
                Email e = c.emails().get(i);
                if (e != null) {
                    ContentRules.required(v, f + ".emails[" + i + "].email", e.email(), FIELD_MAX);
                    ContentRules.optional(v, f + ".emails[" + i + "].type", e.type(), FIELD_MAX);
                }
            }
        }
        if (ContentRules.count(v, f + ".urls", c.urls(), 0, ENTRIES_MAX)) {
            for (int i = 0; i < c.urls().size(); i++) {
                Url u = c.urls().get(i);
                if (u != null) {
                    ContentRules.required(v, f + ".urls[" + i + "].url", u.url(), FIELD_MAX);
                    ContentRules.optional(v, f + ".urls[" + i + "].type", u.type(), FIELD_MAX);
                }
            }
        }
        if (ContentRules.count(v, f + ".addresses", c.addresses(), 0, ENTRIES_MAX)) {
            for (int i = 0; i < c.addresses().size(); i++) {
                Address a = c.addresses().get(i);
                if (a != null) {
                    String af = f + ".addresses[" + i + "]";
                    String[] parts = {a.street(), a.city(), a.state(), a.zip(), a.country(), a.countryCode(), a.type()};
                    String[] names = {"street", "city", "state", "zip", "country", "countryCode", "type"};
                    boolean any = false;
                    for (int k = 0; k < parts.length; k++) {
                        ContentRules.optional(v, af + "." + names[k], parts[k], FIELD_MAX);
                        any |= parts[k] != null && k != 6;
                    }
                    if (!any) {
                        v.add(af, "is empty", "at least one part of the address");
                    }
                }
            }
        }
        Organization o = c.org();
        if (o != null) {
            ContentRules.optional(v, f + ".org.company", o.company(), FIELD_MAX);
            ContentRules.optional(v, f + ".org.department", o.department(), FIELD_MAX);
            ContentRules.optional(v, f + ".org.title", o.title(), FIELD_MAX);
        }
        if (c.birthday() != null) {
            boolean ok = BIRTHDAY.matcher(c.birthday()).matches();
            if (ok) {
                try {
                    java.time.LocalDate.parse(c.birthday());
                } catch (java.time.format.DateTimeParseException e) {
                    ok = false;
                }
            }
            if (!ok) {
                v.add(f + ".birthday", "'" + Violations.printable(c.birthday()) + "' is not a date",
                        "YYYY-MM-DD");
            }
        }
    }

    @Override
    public String toString() {
        return "Contacts[" + contacts.size() + "]";
    }
}
