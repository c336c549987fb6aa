package io.torovj.lifecycle;

/**
 * A part of a VM that a pooled VM's reset returns to the state it had when the VM's build
 * ended, so that nothing of one invocation reaches the next (guest memory itself is restored
 * from its image). Called on the vCPU's thread, with the guest stopped and every poller parked.
 */
public interface Rewindable {
    void rewind();
}
