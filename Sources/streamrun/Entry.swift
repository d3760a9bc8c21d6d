#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

@main
enum Entry {
    static func main() async {
        // A reader that goes away (`| head`) is seen as EPIPE on write, not a signal that kills.
        signal(SIGPIPE, SIG_IGN)
        LoggingSystem.bootstrap { _ in TextLogHandler() }
        await Streamrun.main()
    }
}
