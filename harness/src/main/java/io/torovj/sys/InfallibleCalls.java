package io.torovj.sys;

import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;

/**
 * Host calls that cannot fail, bound without jnr-ffi's errno save: POSIX has getppid "always
 * successful", so there is no errno to keep, and skipping the save took 183 -> 174 ns per call
 * here (a loop of two million, same JVM, both bindings). That is the host half of every
 * shared-memory nullcall, whose floor is ~240 ns. Apart from {@link LibC} (whose calls need errno)
 * and loaded at first use: a HelloWorld run never calls it. Plain for jnr-ffi, as {@link LibC}
 * says why; IgnoreError is a load option, not an annotation. Public only because jnr-ffi
 * implements it from a class loader of its own.
 */
public interface InfallibleCalls {

    InfallibleCalls INSTANCE = LibraryLoader.create(InfallibleCalls.class).option(LibraryOption.IgnoreError, true)
            .load(LibC.LIBRARY);

    int getppid();
}
