using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Mxfp4.Core.Safetensors;

namespace Mxfp4.Fuzz;

/// <summary>
/// Feeds one input to its parser and judges the result: accepted with every invariant holding, or rejected with
/// the parser's own exception; anything else, more than a second, or allocation out of proportion is a failure.
/// </summary>
public static class CaseRunner
{
    public const string HeaderPath = "/fuzz/model.safetensors";
    public const string IndexPath = "/fuzz/model.safetensors.index.json";
    public const string IndexAccepted = "Index.Accepted";
    public const string IndexRejected = "Index.InvalidCheckpointIndex";

    private static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(1);

    public static FuzzOutcome Run(FuzzCase input)
    {
        // The virtual file is materialised before measuring, so only the parser's own allocations count.
        var (prefix, json) = input.Target == FuzzTarget.Header ? Slice(input) : ([], input.Bytes);
        long allowance = (64 * (long)(8 + json.Length)) + (1 << 20);

        var watch = Stopwatch.StartNew();
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        FuzzOutcome outcome;
        try
        {
            outcome = input.Target == FuzzTarget.Header ? RunHeader(prefix, json, input.FileLength) : RunIndex(json);
        }
        catch (SafetensorsFormatException e) when (input.Target == FuzzTarget.Header)
        {
            outcome = new FuzzOutcome(e.Kind.ToString(), null);
        }
        catch (CheckpointException e) when (input.Target == FuzzTarget.Index && e.ErrorId == "InvalidCheckpointIndex")
        {
            outcome = new FuzzOutcome(IndexRejected, null);
        }
#pragma warning disable CA1031 // any other exception is exactly what the fuzzer is looking for
        catch (Exception e)
#pragma warning restore CA1031
        {
            outcome = new FuzzOutcome("Crash", $"unexpected {e.GetType().FullName}: {e.Message}{Environment.NewLine}{e.StackTrace}");
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        watch.Stop();
        if (!outcome.Failed && watch.Elapsed > TimeLimit)
        {
            outcome = outcome with { Failure = $"took {watch.Elapsed.TotalMilliseconds:F0} ms" };
        }

        if (!outcome.Failed && allocated > allowance)
        {
            outcome = outcome with
            {
                Failure = string.Create(CultureInfo.InvariantCulture,
                $"allocated {allocated} bytes for a {json.Length}-byte input (allowance {allowance})")
            };
        }

        return outcome;
    }

    /// <summary>The first 8 bytes and the claimed header of the virtual file (its bytes, then zeros).</summary>
    private static (byte[] Prefix, byte[] Json) Slice(FuzzCase input)
    {
        var prefix = new byte[(int)Math.Min(8, input.FileLength)];
        input.Bytes.AsSpan(0, Math.Min(prefix.Length, input.Bytes.Length)).CopyTo(prefix);
        if (prefix.Length < 8)
        {
            return (prefix, []);
        }

        ulong claimed = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (claimed > SafetensorsHeader.MaxHeaderLength || (long)claimed > input.FileLength - 8)
        {
            return (prefix, []);
        }

        var json = new byte[claimed];
        if (input.Bytes.Length > 8)
        {
            input.Bytes.AsSpan(8, (int)Math.Min((long)claimed, input.Bytes.Length - 8)).CopyTo(json);
        }

        return (prefix, json);
    }

    private static FuzzOutcome RunHeader(byte[] prefix, byte[] json, long fileLength)
    {
        long headerLength = SafetensorsHeader.ReadHeaderLength(prefix, fileLength, HeaderPath);
        if (headerLength != json.Length)
        {
            return new FuzzOutcome("Crash", $"ReadHeaderLength accepted {headerLength}, the prefix says {json.Length}");
        }

        var header = SafetensorsHeader.Parse(json, fileLength, HeaderPath);
        return new FuzzOutcome("Accepted", HeaderInvariants.Check(header, json, fileLength));
    }

    private static FuzzOutcome RunIndex(byte[] json)
    {
        var index = CheckpointIndex.Parse(json, IndexPath);
        return new FuzzOutcome(IndexAccepted, IndexInvariants.Check(index, json));
    }
}
