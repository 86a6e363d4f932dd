package io.fluxbus.internal;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test seam: a package-private member that exists, or is wider than it would be, only so that tests in the
 * same package can drive or observe the code (simulate a crash, read a counter). Production code never calls it; no
 * public API type carries one.
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target({ElementType.METHOD, ElementType.CONSTRUCTOR, ElementType.FIELD, ElementType.TYPE})
public @interface VisibleForTesting {}
