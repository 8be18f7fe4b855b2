/** Implementation of the test kit. Internal: may change at any time, do not depend on it. */
package io.whatsappoutbox.test.internal;
