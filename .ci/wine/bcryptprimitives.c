/* A stand-in for Windows 10's bcryptprimitives.dll, which Wine 8 lacks: Rust programs built for Windows (npm's
 * Rust-built bindings, vitest's rolldown among them) import ProcessPrng from it for their random numbers, and fail to
 * load without it. Same contract (fills the buffer, always returns TRUE), served by RtlGenRandom, which Wine has.
 * CI only (.ci/windows-lane builds it with mingw-w64 into the Wine prefix); never shipped. */
#include <windows.h>

BOOLEAN NTAPI SystemFunction036(PVOID buffer, ULONG length); /* RtlGenRandom, advapi32 */

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size)
{
    while (size > 0)
    {
        ULONG n = size > 0x10000000u ? 0x10000000u : (ULONG)size;
        if (!SystemFunction036(data, n))
            return FALSE;
        data += n;
        size -= n;
    }
    return TRUE;
}
