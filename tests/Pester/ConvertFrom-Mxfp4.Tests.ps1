BeforeAll {
    $repo = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($PSScriptRoot, '..', '..'))
    Import-Module ([System.IO.Path]::Combine($repo, 'output', 'Mxfp4')) -Force
    $sharded = [System.IO.Path]::Combine($repo, 'samples', 'gpt-oss-tiny')
    $original = [System.IO.Path]::Combine($repo, 'samples', 'gpt-oss-tiny-original')
    $down = Get-Mxfp4Tensor $sharded -Name 'model.layers.0.mlp.experts.down_proj'

    # Written from the spec, independently of the module: element i of an MXFP4 tensor from its raw bytes.
    function Get-ReferenceElement($Tensor, [long] $Index) {
        $values = 0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -6.0
        $blocks = [System.IO.File]::ReadAllBytes($Tensor.Blocks.Path)
        $scales = [System.IO.File]::ReadAllBytes($Tensor.Scales.Path)
        $group = [math]::Floor($Index / 32)
        $within = $Index % 32
        $byte = $blocks[$Tensor.Blocks.DataOffset + $group * 16 + [math]::Floor($within / 2)]
        $nibble = if ($within % 2 -eq 0) { $byte -band 0x0F } else { $byte -shr 4 }
        $scale = $scales[$Tensor.Scales.DataOffset + $group]
        [float]($values[$nibble] * [math]::Pow(2, $scale - 127))
    }
}

Describe 'ConvertFrom-Mxfp4' {
    Context 'in memory' {
        It 'dequantizes a whole tensor to F32 by default' {
            $result = $down | ConvertFrom-Mxfp4
            $result.Format | Should -Be 'F32'
            $result.Shape | Should -Be @(4, 64, 64)
            $result.Data.Length | Should -Be 16384
            $result.Data | Should -BeOfType ([float])
            foreach ($i in 0, 1, 31, 32, 4097, 16383) {
                $result.Data[$i] | Should -Be (Get-ReferenceElement $down $i)
            }
        }

        It 'slices experts and rows' {
            $slices = $down | ConvertFrom-Mxfp4 -Expert 1, 3 -Row 2..3
            $slices | Should -HaveCount 2
            $slices[1].Expert | Should -Be 3
            $slices[1].Shape | Should -Be @(2, 64)
            # expert 3, row 2, column 5 of a [4, 64, 64] tensor
            $slices[1].Data[5] | Should -Be (Get-ReferenceElement $down (3 * 64 * 64 + 2 * 64 + 5))
        }

        It 'gives BF16 as the top half of the F32 bits' {
            $f32 = ($down | ConvertFrom-Mxfp4 -Expert 0 -Row 0).Data
            $bf16 = ($down | ConvertFrom-Mxfp4 -Expert 0 -Row 0 -Format BF16).Data
            $bf16 | Should -BeOfType ([uint16])
            for ($i = 0; $i -lt 64; $i++) {
                $bf16[$i] | Should -Be ([System.BitConverter]::SingleToUInt32Bits($f32[$i]) -shr 16)
            }
        }

        It 'upcasts a plain BF16 tensor exactly (BF16 bits shifted into F32)' {
            $sinks = Get-SafetensorsHeader $sharded -Name 'model.layers.0.self_attn.sinks'
            $values = ($sinks | ConvertFrom-Mxfp4 -Format F32).Data
            $bytes = [System.IO.File]::ReadAllBytes($sinks.Path)
            for ($i = 0; $i -lt 4; $i++) {
                $bits = [uint32][System.BitConverter]::ToUInt16($bytes, $sinks.DataOffset + 2 * $i) -shl 16
                $values[$i] | Should -Be ([System.BitConverter]::UInt32BitsToSingle($bits))
            }
        }

        It 'refuses one half of a pair piped without Get-Mxfp4Tensor' {
            { Get-SafetensorsHeader $sharded -Name '*layers.0*down_proj_blocks' | ConvertFrom-Mxfp4 -ErrorAction Stop } | Should -Throw -ErrorId 'UnpairedMxfp4Tensor,*'
        }

        It 'refuses results over -MemoryLimit with TensorTooLarge' {
            { $down | ConvertFrom-Mxfp4 -MemoryLimit 1024 -ErrorAction Stop } | Should -Throw -ErrorId 'TensorTooLarge,*'
        }

        It 'reports an expert out of range' {
            { $down | ConvertFrom-Mxfp4 -Expert 4 -ErrorAction Stop } | Should -Throw -ErrorId 'ExpertOutOfRange,*'
        }
    }

    Context 'files and streams' {
        It 'writes raw little-endian bytes with -OutFile and returns the file with -PassThru' {
            $out = [System.IO.Path]::Combine($TestDrive, 'down.f16')
            $file = $down | ConvertFrom-Mxfp4 -Format F16 -OutFile $out -PassThru
            $file.Length | Should -Be (16384 * 2)
            $bytes = [System.IO.File]::ReadAllBytes($out)
            [System.BitConverter]::ToHalf($bytes, 2 * 77) | Should -Be ([System.Half](Get-ReferenceElement $down 77))
        }

        It 'refuses to overwrite without -Force, and replaces with it' {
            $out = [System.IO.Path]::Combine($TestDrive, 'existing.bin')
            [System.IO.File]::WriteAllText($out, 'keep me')
            { $down | ConvertFrom-Mxfp4 -OutFile $out -ErrorAction Stop } | Should -Throw -ErrorId 'OutputExists,*'
            [System.IO.File]::ReadAllText($out) | Should -Be 'keep me'
            $down | ConvertFrom-Mxfp4 -OutFile $out -Force
            ([System.IO.FileInfo]::new($out)).Length | Should -Be (16384 * 4)
        }

        It 'writes nothing with -WhatIf' {
            $out = [System.IO.Path]::Combine($TestDrive, 'whatif.bin')
            $down | ConvertFrom-Mxfp4 -OutFile $out -WhatIf
            [System.IO.File]::Exists($out) | Should -BeFalse
        }

        It 'emits byte chunks that concatenate to the -OutFile bytes' {
            $out = [System.IO.Path]::Combine($TestDrive, 'chunks.bin')
            $down | ConvertFrom-Mxfp4 -Format BF16 -OutFile $out
            $chunks = @($down | ConvertFrom-Mxfp4 -Format BF16 -AsByteStream)
            $chunks[0].GetType() | Should -Be ([byte[]])
            $joined = [System.Collections.Generic.List[byte]]::new()
            foreach ($chunk in $chunks) { $joined.AddRange([byte[]]$chunk) }
            [System.Linq.Enumerable]::SequenceEqual([byte[]]$joined.ToArray(), [System.IO.File]::ReadAllBytes($out)) | Should -BeTrue
        }

        It 'returns a seekable stream of the same bytes' {
            $stream = $down | ConvertFrom-Mxfp4 -AsStream -Expert 2
            try {
                $stream.Length | Should -Be (64 * 64 * 4)
                $stream.Position = 4 * 10
                $buffer = [byte[]]::new(4)
                $stream.Read($buffer, 0, 4) | Should -Be 4
                [System.BitConverter]::ToSingle($buffer, 0) | Should -Be (Get-ReferenceElement $down (2 * 64 * 64 + 10))
            }
            finally {
                $stream.Dispose()
            }
        }
    }

    Context 'whole checkpoints' {
        It 'converts the sharded sample to BF16 with the index rewritten' {
            $destination = [System.IO.Path]::Combine($TestDrive, 'bf16')
            $files = ConvertFrom-Mxfp4 -Path $sharded -Destination $destination -PassThru
            $files.Name | Should -Contain 'model.safetensors.index.json'
            $files.Name | Should -Contain 'config.json'
            $tensors = Get-SafetensorsHeader $destination
            $tensors | Where-Object DType -eq U8 | Should -BeNullOrEmpty
            ($tensors | Where-Object Name -eq 'model.layers.0.mlp.experts.down_proj').Shape | Should -Be @(4, 64, 64)
            $index = [System.Text.Json.JsonDocument]::Parse([System.IO.File]::ReadAllText([System.IO.Path]::Combine($destination, 'model.safetensors.index.json')))
            $total = 0L
            foreach ($tensor in $tensors) { $total += $tensor.ByteLength }
            $index.RootElement.GetProperty('metadata').GetProperty('total_size').GetInt64() | Should -Be $total
        }

        It 'writes the transformers layout transposed to [E, in, out]' {
            $destination = [System.IO.Path]::Combine($TestDrive, 'dense')
            ConvertFrom-Mxfp4 -Path $sharded -Destination $destination -Layout Transformers -Format F32
            $gateUp = Get-SafetensorsHeader $destination -Name 'model.layers.0.mlp.experts.gate_up_proj'
            $gateUp.Shape | Should -Be @(4, 64, 128)
            $config = [System.IO.File]::ReadAllText([System.IO.Path]::Combine($destination, 'config.json'))
            $config | Should -Not -Match 'quantization_config'
        }

        It 'refuses a non-empty destination without -Force' {
            $destination = [System.IO.Path]::Combine($TestDrive, 'occupied')
            [System.IO.Directory]::CreateDirectory($destination)
            [System.IO.File]::WriteAllText([System.IO.Path]::Combine($destination, 'note.txt'), 'mine')
            ConvertFrom-Mxfp4 -Path $original -Destination $destination -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'OutputExists,*'
            [System.IO.Directory]::GetFiles($destination) | Should -HaveCount 1
        }

        It 'creates nothing with -WhatIf' {
            $destination = [System.IO.Path]::Combine($TestDrive, 'whatif')
            ConvertFrom-Mxfp4 -Path $original -Destination $destination -WhatIf
            [System.IO.Directory]::Exists($destination) | Should -BeFalse
        }

        It 'rejects the transformers layout for original gpt-oss naming' {
            $destination = [System.IO.Path]::Combine($TestDrive, 'refused')
            { ConvertFrom-Mxfp4 -Path $original -Destination $destination -Layout Transformers -ErrorAction Stop } | Should -Throw -ErrorId 'LayoutNotSupported,*'
            [System.IO.Directory]::Exists($destination) | Should -BeFalse
        }
    }
}
