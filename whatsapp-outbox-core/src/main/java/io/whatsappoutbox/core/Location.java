package io.whatsappoutbox.core;

import io.whatsappoutbox.core.internal.Violations;

/**
 * A place on the map: as a message of its own, or as a template's header. Meta shows the name,
 * and the address under it only when a name is given.
 *
 * @param latitude decimal degrees, -90 to 90
 * @param longitude decimal degrees, -180 to 180
 */
public record Location(double latitude, double longitude, String name, String address) implements MessageContent {
    /** Meta publishes no limit for the name and the address: this one keeps a row small. */
    public static final int TEXT_MAX = 1024;

    public Location {
        // -0.0 is 0.0 on a map, and a stored number has no sign of zero
        latitude = latitude == 0 ? 0.0 : latitude;
        longitude = longitude == 0 ? 0.0 : longitude;
    }

    public static Location of(double latitude, double longitude) {
        return new Location(latitude, longitude, null, null);
    }

    public static Location of(double latitude, double longitude, String name, String address) {
        return new Location(latitude, longitude, name, address);
    }

    @Override
    public ContentType type() {
        return ContentType.LOCATION;
    }

    void validate(Violations v, Channel channel, String prefix) {
        if (ContentRules.whatsappOnly(v, channel, prefix + "location", "a location")) {
            check(v, prefix + "location", false);
        }
    }

    /** Checks the place; a template's location header needs its name and address. */
    void check(Violations v, String f, boolean named) {
        if (!(latitude >= -90 && latitude <= 90)) {
            v.add(f + ".latitude", "is " + latitude, "decimal degrees between -90 and 90");
        }
        if (!(longitude >= -180 && longitude <= 180)) {
            v.add(f + ".longitude", "is " + longitude, "decimal degrees between -180 and 180");
        }
        if (named) {
            ContentRules.required(v, f + ".name", name, TEXT_MAX);
            ContentRules.required(v, f + ".address", address, TEXT_MAX);
        } else {
            ContentRules.optional(v, f + ".name", name, TEXT_MAX);
            ContentRules.optional(v, f + ".address", address, TEXT_MAX);
        }
    }

    @Override
    public String toString() {
        return "Location[" + (name != null ? "named" : "unnamed") + (address != null ? ", with address" : "") + "]";
    }
}
