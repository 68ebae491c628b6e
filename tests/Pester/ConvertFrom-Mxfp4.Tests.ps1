BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $down = Get-Mxfp4Tensor $sharded -Name 'model.layers.0.mlp.experts.down_proj'
    $cmdlet = 'Mxfp4.PowerShell.Commands.ConvertFromMxfp4Command'

    # Written from the spec, independently of the module: every element of an MXFP4 tensor from its raw bytes.
    function Get-ReferenceTensor($Tensor) {
        $values = 0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -6.0
        $blocks = Get-Content $Tensor.Blocks.Path -AsByteStream -Raw
        $scales = Get-Content $Tensor.Scales.Path -AsByteStream -Raw
        $result = [float[]]::new($Tensor.ElementCount)
        for ($i = 0; $i -lt $result.Length; $i++) {
            $group = [math]::Floor($i / 32)
            $byte = $blocks[$Tensor.Blocks.DataOffset + $group * 16 + [math]::Floor(($i % 32) / 2)]
            $nibble = if ($i % 2 -eq 0) { $byte -band 0x0F } else { $byte -shr 4 }
            $result[$i] = $values[$nibble] * [math]::Pow(2, $scales[$Tensor.Scales.DataOffset + $group] - 127)
        }
        , $result
    }
    $reference = Get-ReferenceTensor $down

    # Bit patterns, so that -0 and +0 differ and one comparison covers a whole array.
    function ConvertTo-Bits([float[]] $Values) { ($Values | ForEach-Object { [BitConverter]::SingleToUInt32Bits($_) }) -join ',' }
}

Describe 'ConvertFrom-Mxfp4' {
    Context 'in memory' {
        It 'dequantizes a whole tensor to F32 by default' {
            $result = $down | ConvertFrom-Mxfp4
            $result.Format | Should -Be 'F32'
            $result.Shape | Should -Be @(4, 64, 64)
            $result.Data.GetType() | Should -Be ([float[]])
            ConvertTo-Bits $result.Data | Should -Be (ConvertTo-Bits $reference)
        }

        It 'slices experts and rows' {
            $slices = $down | ConvertFrom-Mxfp4 -Expert 1, 3 -Row 2..3
            $slices | Should -HaveCount 2
            $slices[1].Expert | Should -Be 3
            $slices[1].Shape | Should -Be @(2, 64)
            # expert 3, row 2, column 5 of a [4, 64, 64] tensor
            ConvertTo-Bits $slices[1].Data | Should -Be (ConvertTo-Bits $reference[(3 * 4096 + 2 * 64)..(3 * 4096 + 4 * 64 - 1)])
        }

        It 'gives BF16 as the top half of the F32 bits' {
            $f32 = ($down | ConvertFrom-Mxfp4 -Expert 0 -Row 0).Data
            $bf16 = ($down | ConvertFrom-Mxfp4 -Expert 0 -Row 0 -Format BF16).Data
            $bf16.GetType() | Should -Be ([uint16[]])
            $bf16 | Should -Be ($f32 | ForEach-Object { [uint16]([BitConverter]::SingleToUInt32Bits($_) -shr 16) })
        }

        It 'upcasts a plain BF16 tensor exactly (BF16 bits shifted into F32)' {
            $sinks = Get-SafetensorsHeader $sharded -Name 'model.layers.0.self_attn.sinks'
            $values = ($sinks | ConvertFrom-Mxfp4 -Format F32).Data
            $bytes = Get-Content $sinks.Path -AsByteStream -Raw
            $expected = 0..3 |
                ForEach-Object { [BitConverter]::UInt32BitsToSingle([uint32][BitConverter]::ToUInt16($bytes,
                $sinks.DataOffset + 2 * $_) -shl 16) }
            $values | Should -Be $expected
        }

        It 'refuses one half of a pair piped without Get-Mxfp4Tensor' {
            { Get-SafetensorsHeader $sharded -Name '*layers.0*down_proj_blocks' | ConvertFrom-Mxfp4 -ErrorAction Stop } |
                Should -Throw -ErrorId "UnpairedMxfp4Tensor,$cmdlet"
        }

        It 'refuses results over -MemoryLimit with TensorTooLarge' {
            { $down | ConvertFrom-Mxfp4 -MemoryLimit 1024 -ErrorAction Stop } | Should -Throw -ErrorId "TensorTooLarge,$cmdlet"
        }

        It 'reports an expert out of range' {
            { $down | ConvertFrom-Mxfp4 -Expert 4 -ErrorAction Stop } | Should -Throw -ErrorId "ExpertOutOfRange,$cmdlet"
        }
    }

    Context 'files and streams' {
        It 'writes raw little-endian bytes with -OutFile and returns the file with -PassThru' {
            $out = Join-Path $TestDrive 'down.f16'
            $file = $down | ConvertFrom-Mxfp4 -Format F16 -OutFile $out -PassThru
            $file.Length | Should -Be (16384 * 2)
            $bytes = Get-Content $out -AsByteStream -Raw
            $halves = 0..16383 | ForEach-Object { [BitConverter]::ToHalf($bytes, 2 * $_) }
            ($halves -join ',') | Should -Be (($reference | ForEach-Object { [Half]$_ }) -join ',')
        }

        It 'refuses to overwrite without -Force, and replaces with it' {
            $out = Join-Path $TestDrive 'existing.bin'
            Set-Content $out 'keep me' -NoNewline
            { $down | ConvertFrom-Mxfp4 -OutFile $out -ErrorAction Stop } | Should -Throw -ErrorId "OutputExists,$cmdlet"
            Get-Content $out -Raw | Should -Be 'keep me'
            $down | ConvertFrom-Mxfp4 -OutFile $out -Force
            (Get-Item $out).Length | Should -Be (16384 * 4)
        }

        It 'writes nothing with -WhatIf' {
            $out = Join-Path $TestDrive 'whatif.bin'
            $down | ConvertFrom-Mxfp4 -OutFile $out -WhatIf
            $out | Should -Not -Exist
        }

        It 'emits byte chunks that concatenate to the -OutFile bytes' {
            $out = Join-Path $TestDrive 'chunks.bin'
            $down | ConvertFrom-Mxfp4 -Format BF16 -OutFile $out
            $chunks = @($down | ConvertFrom-Mxfp4 -Format BF16 -AsByteStream)
            $chunks[0].GetType() | Should -Be ([byte[]])
            $joined = [byte[]]($chunks | ForEach-Object { $_ })
            [Convert]::ToHexString($joined) | Should -Be ([Convert]::ToHexString((Get-Content $out -AsByteStream -Raw)))
        }

        It 'returns a seekable stream of the same bytes' {
            $stream = $down | ConvertFrom-Mxfp4 -AsStream -Expert 2
            try {
                $stream.Length | Should -Be (64 * 64 * 4)
                $stream.Position = 4 * 10
                $buffer = [byte[]]::new(4)
                $stream.Read($buffer, 0, 4) | Should -Be 4
                [BitConverter]::ToSingle($buffer, 0) | Should -Be $reference[2 * 64 * 64 + 10]
            }
            finally {
                $stream.Dispose()
            }
        }
    }

    Context 'whole checkpoints' {
        It 'converts the sharded sample to BF16 with the index rewritten' {
            $destination = Join-Path $TestDrive 'bf16'
            $files = ConvertFrom-Mxfp4 -Path $sharded -Destination $destination -PassThru
            $files.Name | Should -Contain 'model.safetensors.index.json'
            $files.Name | Should -Contain 'config.json'
            $tensors = Get-SafetensorsHeader $destination
            $tensors | Where-Object DType -eq U8 | Should -BeNullOrEmpty
            ($tensors | Where-Object Name -eq 'model.layers.0.mlp.experts.down_proj').Shape | Should -Be @(4, 64, 64)
            $index = Get-Content (Join-Path $destination 'model.safetensors.index.json') -Raw | ConvertFrom-Json
            $index.metadata.total_size | Should -Be ($tensors | Measure-Object ByteLength -Sum).Sum
        }

        It 'writes the transformers layout transposed to [E, in, out]' {
            $destination = Join-Path $TestDrive 'dense'
            ConvertFrom-Mxfp4 -Path $sharded -Destination $destination -Layout Transformers -Format F32
            $gateUp = Get-SafetensorsHeader $destination -Name 'model.layers.0.mlp.experts.gate_up_proj'
            $gateUp.Shape | Should -Be @(4, 64, 128)
            $config = Get-Content (Join-Path $destination 'config.json') -Raw
            $config | Should -Not -Match 'quantization_config'
        }

        It 'refuses a non-empty destination without -Force' {
            $destination = Join-Path $TestDrive 'occupied'
            New-Item $destination -ItemType Directory
            Set-Content (Join-Path $destination 'note.txt') 'mine'
            ConvertFrom-Mxfp4 -Path $original -Destination $destination -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures[0].FullyQualifiedErrorId | Should -Be "OutputExists,$cmdlet"
            Get-ChildItem $destination | Should -HaveCount 1
        }

        It 'creates nothing with -WhatIf' {
            $destination = Join-Path $TestDrive 'whatif'
            ConvertFrom-Mxfp4 -Path $original -Destination $destination -WhatIf
            $destination | Should -Not -Exist
        }

        It 'rejects the transformers layout for original gpt-oss naming' {
            $destination = Join-Path $TestDrive 'refused'
            { ConvertFrom-Mxfp4 -Path $original -Destination $destination -Layout Transformers -ErrorAction Stop } |
                Should -Throw -ErrorId "LayoutNotSupported,$cmdlet"
            $destination | Should -Not -Exist
        }
    }
}
