BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $original = Join-Path $original 'model.safetensors'
    $index = Get-Content (Join-Path $sharded 'model.safetensors.index.json') -Raw | ConvertFrom-Json -AsHashtable
    $weightMap = $index.weight_map
}

Describe 'Get-SafetensorsHeader' {
    Context 'listing tensors' {
        It 'lists every tensor of the sharded checkpoint the index names' {
            $tensors = Get-SafetensorsHeader $sharded
            $tensors | Should -HaveCount $weightMap.Count
            foreach ($entry in $weightMap.GetEnumerator()) {
                $tensor = $tensors | Where-Object Name -eq $entry.Key
                Split-Path $tensor.Path -Leaf | Should -Be $entry.Value
            }
        }

        It 'emits TensorInfo records that Where-Object can filter' {
            $u8 = Get-SafetensorsHeader $sharded | Where-Object DType -eq U8
            $u8 | Should -HaveCount 8
            foreach ($tensor in $u8) {
                $tensor.Name | Should -Match '_(blocks|scales)$'
                $tensor.GetType().FullName | Should -Be 'Mxfp4.Core.Safetensors.TensorInfo'
            }
        }

        It 'reports the data offset as an absolute position in the file' {
            $headerLength = [BitConverter]::ToUInt64((Get-Content $original -AsByteStream -TotalCount 8), 0)
            $first = Get-SafetensorsHeader $original | Where-Object DataOffset -eq (8 + $headerLength)
            $first | Should -HaveCount 1
            $first.Name | Should -Be 'embedding.weight'
        }

        It 'computes element counts and byte lengths from the shape' {
            $tensor = Get-SafetensorsHeader $sharded -Name 'model.layers.0.mlp.experts.gate_up_proj_blocks'
            $tensor.Shape | Should -Be @(4, 128, 2, 16)
            $tensor.ElementCount | Should -Be 16384
            $tensor.ByteLength | Should -Be 16384
        }

        It 'filters by name with wildcards, several patterns allowed' {
            $names = (Get-SafetensorsHeader $sharded -Name '*layers.1*down_proj*', 'lm_head.weight').Name
            $names | Should -HaveCount 4
            $names | Should -Contain 'lm_head.weight'
            $names | Should -Contain 'model.layers.1.mlp.experts.down_proj_bias'
        }

        It 'accepts the index file itself' {
            Get-SafetensorsHeader (Join-Path $sharded 'model.safetensors.index.json') | Should -HaveCount $weightMap.Count
        }
    }

    Context 'metadata' {
        It 'emits the header metadata and the index metadata' {
            $metadata = Get-SafetensorsHeader $sharded -Metadata
            $format = $metadata | Where-Object { $_.Source -eq 'Header' -and $_.Key -eq 'format' }
            $format.Value | Should -Be @('pt', 'pt')
            (Split-Path $format[1].Path -Leaf) | Should -Be 'model-00002-of-00002.safetensors'
            $total = ($metadata | Where-Object { $_.Source -eq 'Index' -and $_.Key -eq 'total_size' }).Value
            $expected = 0L
            foreach ($tensor in Get-SafetensorsHeader $sharded) { $expected += $tensor.ByteLength }
            [long]$total | Should -Be $expected
        }
    }

    Context 'paths' {
        BeforeAll {
            $bracketed = Join-Path $TestDrive 'model[1].safetensors'
            Copy-Item -LiteralPath $original -Destination $bracketed
        }

        It 'takes -LiteralPath names with wildcard characters as they are' {
            Get-SafetensorsHeader -LiteralPath $bracketed -Name 'embedding.weight' | Should -HaveCount 1
        }

        It 'binds piped strings to -Path' {
            $original | Get-SafetensorsHeader -Name 'norm.scale' | Should -HaveCount 1
        }

        It 'reports a missing path and goes on with the other inputs' {
            $missing = Join-Path $TestDrive 'missing.safetensors'
            $found = Get-SafetensorsHeader $missing, $original -Name 'norm.scale' -ErrorVariable failures -ErrorAction SilentlyContinue
            $found | Should -HaveCount 1
            $failures | Should -HaveCount 1
            $failures[0].FullyQualifiedErrorId | Should -Be 'PathNotFound,Mxfp4.PowerShell.Commands.GetSafetensorsHeaderCommand'
        }
    }

    Context 'invalid files' {
        It 'reports <Case> with error id InvalidSafetensorsHeader and the path as target' -ForEach @(
            @{ Case = 'a file shorter than 8 bytes'; Bytes = [byte[]](1, 2, 3) }
            @{ Case = 'a header length beyond the file'; Bytes = [byte[]](255, 0, 0, 0, 0, 0, 0, 0, 123, 125) }
            @{ Case = 'a header that is not JSON'; Bytes = [byte[]](2, 0, 0, 0, 0, 0, 0, 0, 120, 120) }
        ) {
            $path = Join-Path $TestDrive 'bad.safetensors'
            Set-Content -LiteralPath $path -Value $Bytes -AsByteStream
            Get-SafetensorsHeader $path -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $failures | Should -HaveCount 1
            $failures[0].FullyQualifiedErrorId | Should -Be 'InvalidSafetensorsHeader,Mxfp4.PowerShell.Commands.GetSafetensorsHeaderCommand'
            $failures[0].TargetObject | Should -Be $path
            $failures[0].CategoryInfo.Category | Should -Be 'InvalidData'
        }

        It 'throws with -ErrorAction Stop' {
            $path = Join-Path $TestDrive 'short.safetensors'
            Set-Content -LiteralPath $path -Value ([byte[]](0)) -AsByteStream
            { Get-SafetensorsHeader $path -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidSafetensorsHeader,Mxfp4.PowerShell.Commands.GetSafetensorsHeaderCommand'
        }
    }
}
