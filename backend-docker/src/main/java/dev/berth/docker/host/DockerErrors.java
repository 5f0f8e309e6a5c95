package dev.berth.docker.host;

import com.github.dockerjava.api.exception.BadRequestException;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.InternalServerErrorException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.UnauthorizedException;
import dev.berth.spi.error.AuthenticationException;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.UnavailableException;

import java.io.IOException;
import java.util.function.Supplier;

/**
 * Translates docker-java's exceptions into Berth's typed errors, so that the engine knows what to retry: a
 * daemon that cannot be reached or answers 500 is {@link UnavailableException} (retryable), a 409 is a
 * {@link dev.berth.spi.error.ConflictException} (retryable), a 400 an {@link InvalidSpecException}.
 * A 404 becomes a {@link MissingObjectException}: an object vanished while Berth worked with it (removed by
 * hand, or by a concurrent call); callers that expect it catch it, elsewhere a retry converges.
 */
public final class DockerErrors {

    /** Docker answered 404 for an object the provider just listed or created. Retryable. */
    public static final class MissingObjectException extends dev.berth.spi.error.ConflictException {
        MissingObjectException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private DockerErrors() {
    }

    /** Runs one Docker call on {@code host}; {@code what} names it in error messages (never with env values). */
    public static <T> T call(String host, String what, Supplier<T> body) {
        try {
            return body.get();
        } catch (BerthException e) {
            throw e;
        } catch (NotFoundException e) {
            throw new MissingObjectException(what + " on Docker host '" + host + "': " + firstLine(e), e);
        } catch (RuntimeException e) {
            throw map(host, what, e);
        }
    }

    /** As {@link #call(String, String, Supplier)} without a result. */
    public static void run(String host, String what, Runnable body) {
        call(host, what, () -> {
            body.run();
            return null;
        });
    }

    static BerthException map(String host, String what, RuntimeException e) {
        String where = what + " on Docker host '" + host + "'";
        if (e instanceof BerthException b) {
            return b;
        }
        if (e instanceof ConflictException) {
            return new dev.berth.spi.error.ConflictException(where + " conflicts: " + firstLine(e), e);
        }
        if (e instanceof BadRequestException) {
            return new InvalidSpecException(what, "rejected by Docker host '" + host + "': " + firstLine(e), e);
        }
        if (e instanceof UnauthorizedException) {
            return new AuthenticationException(where + " refused the credentials: " + firstLine(e), e);
        }
        if (e instanceof InternalServerErrorException) {
            return new UnavailableException(where + " failed in the daemon: " + firstLine(e), e);
        }
        if (e instanceof DockerException) {
            return new BerthException(where + " failed: " + firstLine(e), false, e);
        }
        if (hasIoCause(e)) {
            return new UnavailableException("Docker host '" + host + "' cannot be reached (" + what + "): " + rootMessage(e), e);
        }
        return new BerthException(where + " failed: " + firstLine(e), false, e);
    }

    static boolean hasIoCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException) return true;
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) t = t.getCause();
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
