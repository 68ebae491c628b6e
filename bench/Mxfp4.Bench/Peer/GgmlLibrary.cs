using System.Runtime.InteropServices;

namespace Mxfp4.Bench.Peer;

/// <summary>
/// ggml's CPU libraries from the LLamaSharp.Backend.Cpu package (built from llama.cpp), loaded by path and called
/// through function pointers. Bench only: the module never loads ggml. The widest build the CPU runs is chosen
/// (avx512, else avx2, else avx), as LLamaSharp itself does. ggml's libggml-cpu is built with OpenMP, so a graph
/// computed on n threads runs on one persistent OpenMP team (no thread creation per call).
/// </summary>
internal sealed unsafe class GgmlLibrary
{
    /// <summary>ggml_type values (ggml.h).</summary>
    public const int TypeF32 = 0;
    public const int TypeMxfp4 = 39;

    private static readonly Lazy<GgmlLibrary?> Shared = new(TryLoad);

    private GgmlLibrary(string directory)
    {
        Directory = directory;
        nint baseLibrary = NativeLibrary.Load(Path.Combine(directory, "libggml-base.so"));
        nint cpuLibrary = NativeLibrary.Load(Path.Combine(directory, "libggml-cpu.so"));
        DequantizeRowMxfp4 = (delegate* unmanaged<void*, float*, long, void>)NativeLibrary.GetExport(baseLibrary, "dequantize_row_mxfp4");
        Init = (delegate* unmanaged<InitParams, nint>)NativeLibrary.GetExport(baseLibrary, "ggml_init");
        Free = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(baseLibrary, "ggml_free");
        NewTensor2d = (delegate* unmanaged<nint, int, long, long, nint>)NativeLibrary.GetExport(baseLibrary, "ggml_new_tensor_2d");
        MulMat = (delegate* unmanaged<nint, nint, nint, nint>)NativeLibrary.GetExport(baseLibrary, "ggml_mul_mat");
        NewGraph = (delegate* unmanaged<nint, nint>)NativeLibrary.GetExport(baseLibrary, "ggml_new_graph");
        BuildForwardExpand = (delegate* unmanaged<nint, nint, void>)NativeLibrary.GetExport(baseLibrary, "ggml_build_forward_expand");
        CpuBufferType = (delegate* unmanaged<nint>)NativeLibrary.GetExport(baseLibrary, "ggml_backend_cpu_buffer_type");
        AllocContextTensors = (delegate* unmanaged<nint, nint, nint>)NativeLibrary.GetExport(baseLibrary,
            "ggml_backend_alloc_ctx_tensors_from_buft");
        BufferFree = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(baseLibrary, "ggml_backend_buffer_free");
        TensorSet = (delegate* unmanaged<nint, void*, nuint, nuint, void>)NativeLibrary.GetExport(baseLibrary, "ggml_backend_tensor_set");
        TensorGet = (delegate* unmanaged<nint, void*, nuint, nuint, void>)NativeLibrary.GetExport(baseLibrary, "ggml_backend_tensor_get");
        GraphCompute = (delegate* unmanaged<nint, nint, int>)NativeLibrary.GetExport(baseLibrary, "ggml_backend_graph_compute");
        BackendFree = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(baseLibrary, "ggml_backend_free");
        CpuInit = (delegate* unmanaged<nint>)NativeLibrary.GetExport(cpuLibrary, "ggml_backend_cpu_init");
        CpuSetThreads = (delegate* unmanaged<nint, int, void>)NativeLibrary.GetExport(cpuLibrary, "ggml_backend_cpu_set_n_threads");

        // A C++ function (not extern "C"), hence the mangled name: ggml_backend_cpu_repack_buffer_type().
        RepackBufferType = (delegate* unmanaged<nint>)NativeLibrary.GetExport(cpuLibrary, "_Z35ggml_backend_cpu_repack_buffer_typev");
    }

    /// <summary>The directory the libraries were loaded from (names the build used).</summary>
    public string Directory { get; }

    public delegate* unmanaged<void*, float*, long, void> DequantizeRowMxfp4 { get; }

    public delegate* unmanaged<InitParams, nint> Init { get; }

    public delegate* unmanaged<nint, void> Free { get; }

    public delegate* unmanaged<nint, int, long, long, nint> NewTensor2d { get; }

    public delegate* unmanaged<nint, nint, nint, nint> MulMat { get; }

    public delegate* unmanaged<nint, nint> NewGraph { get; }

    public delegate* unmanaged<nint, nint, void> BuildForwardExpand { get; }

    public delegate* unmanaged<nint> CpuBufferType { get; }

    public delegate* unmanaged<nint> RepackBufferType { get; }

    public delegate* unmanaged<nint, nint, nint> AllocContextTensors { get; }

    public delegate* unmanaged<nint, void> BufferFree { get; }

    public delegate* unmanaged<nint, void*, nuint, nuint, void> TensorSet { get; }

    public delegate* unmanaged<nint, void*, nuint, nuint, void> TensorGet { get; }

    public delegate* unmanaged<nint, nint, int> GraphCompute { get; }

    public delegate* unmanaged<nint> CpuInit { get; }

    public delegate* unmanaged<nint, int, void> CpuSetThreads { get; }

    public delegate* unmanaged<nint, void> BackendFree { get; }

    /// <summary>The loaded libraries, or null (with <see cref="LoadError"/>) where the package's linux-x64 build is missing or fails to
    /// load.</summary>
    public static GgmlLibrary? Instance => Shared.Value;

    public static string? LoadError { get; private set; }

    private static GgmlLibrary? TryLoad()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            LoadError = "ggml peer rows need linux-x64 (the package's native build)";
            return null;
        }

        string variant = System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? "avx512" : System.Runtime.Intrinsics.X86.Avx2.IsSupported
            ? "avx2" : "avx";
        string directory = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", variant);
        try
        {
            return new GgmlLibrary(directory);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            LoadError = $"ggml not loaded from {directory}: {e.Message}";
            return null;
        }
    }

    /// <summary>struct ggml_init_params (ggml.h): arena size, optional arena, and whether tensors get no data in it.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct InitParams
    {
        public nuint MemorySize;
        public nint MemoryBuffer;
        [MarshalAs(UnmanagedType.U1)]
        public bool NoAlloc;
    }
}
