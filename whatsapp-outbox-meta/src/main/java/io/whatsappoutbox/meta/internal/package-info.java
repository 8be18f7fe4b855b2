/** Implementation of the Meta module. Internal: may change at any time, do not depend on it. */
package io.whatsappoutbox.meta.internal;
