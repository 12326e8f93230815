using System.Runtime.InteropServices;

namespace Warning.Analytics.Risk.Xgboost;

/// <summary>
/// The XGBoost C API (c_api.h) of Debian's <c>libxgboost0</c> (<c>libxgboost.so.0</c>). Every function returns 0 on
/// success and -1 on failure, with the message in <see cref="XGBGetLastError"/> (thread-local, so read it at once).
/// </summary>
internal static unsafe partial class XgbNative
{
    private const string Library = "libxgboost.so.0";

    [LibraryImport(Library)]
    internal static partial nint XGBGetLastError();

    [LibraryImport(Library)]
    internal static partial int XGBoostVersion(int* major, int* minor, int* patch);

    [LibraryImport(Library)]
    internal static partial int XGDMatrixCreateFromMat(float* data, ulong nrow, ulong ncol, float missing, out nint handle);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int XGDMatrixSetFloatInfo(DMatrixHandle handle, string field, float* array, ulong len);

    [LibraryImport(Library)]
    internal static partial int XGDMatrixFree(nint handle);

    [LibraryImport(Library)]
    internal static partial int XGBoosterCreate(nint* dmats, ulong len, out nint handle);

    [LibraryImport(Library)]
    internal static partial int XGBoosterFree(nint handle);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int XGBoosterSetParam(BoosterHandle handle, string name, string value);

    [LibraryImport(Library)]
    internal static partial int XGBoosterUpdateOneIter(BoosterHandle handle, int iteration, DMatrixHandle train);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int XGBoosterPredictFromDMatrix(BoosterHandle handle, DMatrixHandle matrix, string config,
        out ulong* shape, out ulong dimensions, out float* result);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int XGBoosterSaveModelToBuffer(BoosterHandle handle, string config, out ulong length, out byte* buffer);

    [LibraryImport(Library)]
    internal static partial int XGBoosterLoadModelFromBuffer(BoosterHandle handle, byte* buffer, ulong length);

    /// <summary>Turns a non-zero return into an exception carrying XGBoost's own message.</summary>
    internal static void Check(int result, string call)
    {
        if (result == 0) return;
        var message = Marshal.PtrToStringUTF8(XGBGetLastError()) ?? "(no message)";
        throw new XgboostException(call, message);
    }
}

public sealed class XgboostException(string call, string nativeMessage)
    : Exception($"{call} failed: {nativeMessage}")
{
    public string Call { get; } = call;

    public string NativeMessage { get; } = nativeMessage;
}

/// <summary>A DMatrix that XGBoost frees when the handle is disposed or finalised.</summary>
public sealed class DMatrixHandle : SafeHandle
{
    public DMatrixHandle() : base(0, ownsHandle: true) { }

    internal DMatrixHandle(nint handle) : this() => SetHandle(handle);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle() => XgbNative.XGDMatrixFree(handle) == 0;
}

/// <summary>A booster that XGBoost frees when the handle is disposed or finalised.</summary>
public sealed class BoosterHandle : SafeHandle
{
    public BoosterHandle() : base(0, ownsHandle: true) { }

    internal BoosterHandle(nint handle) : this() => SetHandle(handle);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle() => XgbNative.XGBoosterFree(handle) == 0;
}
