namespace Mxfp4.Core.Formats;

/// <summary>Which kernel implementation runs. All produce identical bits; tests force each one.</summary>
public enum KernelPath
{
    Scalar,
    Vector128,
    Vector256,
    Vector512,
}
