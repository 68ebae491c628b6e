using System.Runtime.InteropServices;
using Mxfp4.Core.Decoding;
using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tensors;
using Mxfp4.Core.Tests.Conversion;
using Mxfp4.Core.Tests.Safetensors;
using Xunit;

namespace Mxfp4.Core.Tests.Tensors;

/// <summary>
/// What Invoke-Mxfp4MatVec -WithBias does for every tensor (open the weight, find its bias, read the bias of each
/// expert) on one <see cref="ShardSession"/> reads each shard's header once for the whole run, not once per tensor or
/// expert; and a stream given a <see cref="TensorReader.Lease"/> keeps the reader's one opening alive.
/// </summary>
public sealed class ShardSessionTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _checkpoint;

    public ShardSessionTests() => _checkpoint = SampleCheckpointFiles.CopyTo(_temp.Path, SampleCheckpointFiles.HuggingFace);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Weights_and_biases_of_every_tensor_read_each_shard_header_once()
    {
        var tensors = Listed();
        Assert.Equal(4, tensors.Count);
        using var counter = new HeaderReadCounter(_checkpoint);
        int biases = 0;

        using (var shards = new ShardSession())
        {
            foreach (var tensor in tensors)
            {
                using var reader = TensorReader.Open(tensor, shards);
                Assert.Equal(tensor.GroupCount, reader.Storage.GroupCount);
                var bias = BiasLocator.Find(tensor, shards);
                Assert.NotNull(bias);
                for (int expert = 0; expert < tensor.Shape[0]; expert++)
                {
                    using var biasReader = TensorReader.Open(bias, shards);
                    biasReader.Source.Decode(expert, 1, new byte[4], OutputFormat.F32);
                    biases++;
                }
            }
        }

        Assert.True(biases > 2 * tensors.Count);
        Assert.Equal(
            [new("model-00001-of-00002.safetensors", 1L), new("model-00002-of-00002.safetensors", 1L)],
            counter.Reads);
    }

    [Fact]
    public void A_bias_found_only_through_the_index_reads_the_index_shards_once_for_all_tensors()
    {
        var tensors = Listed();
        using var counter = new HeaderReadCounter(_checkpoint);

        using (var shards = new ShardSession())
        {
            foreach (var tensor in tensors)
            {
                // The weight's own shards hold no such name, so every lookup goes to the index.
                Assert.Null(BiasLocator.Find(new Mxfp4TensorInfo(tensor.Name + ".absent", tensor.Shape, tensor.Blocks, tensor.Scales,
                    tensor.NamingStyle), shards));
            }
        }

        // Once by the session for the weights' shards, once by the index's checkpoint.
        Assert.Equal(
            [new("model-00001-of-00002.safetensors", 2L), new("model-00002-of-00002.safetensors", 2L)],
            counter.Reads);
    }

    [Fact]
    public void A_leased_reader_keeps_serving_a_stream_after_it_is_disposed_and_opens_once()
    {
        var tensor = Listed()[0];
        using var counter = new HeaderReadCounter(_checkpoint);
        DequantizingStream stream;
        var expected = new float[64];
        using (var reader = TensorReader.Open(tensor))
        {
            reader.Source.Decode(0, expected.Length, MemoryMarshal.AsBytes(expected.AsSpan()), OutputFormat.F32);
            stream = new DequantizingStream(reader.Source, OutputFormat.F32, 0, expected.Length, 1, reader.Lease());
        }

        // The path now names other bytes; the stream reads the file it was opened on.
        File.Move(Path.Combine(_checkpoint, "model-00001-of-00002.safetensors"), Path.Combine(_checkpoint, "moved.safetensors"));
        File.WriteAllBytes(Path.Combine(_checkpoint, "model-00001-of-00002.safetensors"), new byte[16]);
        var actual = new float[expected.Length];
        using (stream)
        {
            stream.ReadExactly(MemoryMarshal.AsBytes(actual.AsSpan()));
        }

        Assert.Equal(expected, actual);
        Assert.Equal([new("model-00001-of-00002.safetensors", 1L)], counter.Reads);
    }

    [Fact]
    public void A_lease_disposed_twice_releases_once_and_the_files_close_with_the_last_holder()
    {
        var tensor = Listed()[0];
        var reader = TensorReader.Open(tensor);
        var first = reader.Lease();
        var second = reader.Lease();
        reader.Dispose();
        first.Dispose();
        first.Dispose();

        // Still open for the second lease: its storage reads.
        Assert.Equal(tensor.GroupCount, reader.Storage.GroupCount);
        reader.Source.Decode(0, 32, new byte[128], OutputFormat.F32);
        second.Dispose();

        Assert.Throws<ObjectDisposedException>(() => reader.Source.Decode(0, 32, new byte[128], OutputFormat.F32));
    }

    private List<Mxfp4TensorInfo> Listed()
    {
        using var checkpoint = Checkpoint.Open(_checkpoint);
        return [.. Mxfp4Pairing.Pair(checkpoint.Tensors).Select(p => p.Tensor!)];
    }
}
