#if canImport(Glibc)
import Glibc
#endif

@discardableResult
func closeFD(_ fd: Int32) -> Int32 { close(fd) }

@discardableResult
func rmdirPath(_ path: String) -> Int32 { rmdir(path) }
