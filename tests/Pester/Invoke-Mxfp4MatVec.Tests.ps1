BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $down = Get-Mxfp4Tensor $sharded -Name 'model.layers.0.mlp.experts.down_proj'
    $x = [float[]]::new(64)
    for ($i = 0; $i -lt 64; $i++) { $x[$i] = [float]([math]::Sin($i) / 4) }

    # W·x in double from the dequantized expert: the straightforward product the fused kernel must match.
    function Get-ReferenceProduct($Weights, [float[]] $Vector) {
        $rows = $Weights.Length / $Vector.Length
        $y = [double[]]::new($rows)
        for ($r = 0; $r -lt $rows; $r++) {
            $sum = 0.0
            for ($k = 0; $k -lt $Vector.Length; $k++) { $sum += [double]$Weights[$r * $Vector.Length + $k] * $Vector[$k] }
            $y[$r] = $sum
        }
        , $y
    }
}

Describe 'Invoke-Mxfp4MatVec' {
    It 'multiplies one expert by a vector (<Precision>)' -ForEach @(
        @{ Precision = 'Exact'; Tolerance = 1e-5 }
        @{ Precision = 'Int8'; Tolerance = 2e-2 }
    ) {
        $result = $down | Invoke-Mxfp4MatVec -Expert 1 -Vector $x -Precision $Precision
        $result.Expert | Should -Be 1
        $result.Values | Should -HaveCount 64
        $expected = Get-ReferenceProduct ($down | ConvertFrom-Mxfp4 -Expert 1).Data $x
        for ($r = 0; $r -lt 64; $r++) {
            [math]::Abs($result.Values[$r] - $expected[$r]) | Should -BeLessOrEqual ($Tolerance * (1 + [math]::Abs($expected[$r])))
        }
    }

    It 'returns one result per expert and vector of a batch' {
        $results = $down | Invoke-Mxfp4MatVec -Expert 0..1 -Vector $x, $x
        $results | Should -HaveCount 4
        ($results | Where-Object { $_.Expert -eq 1 -and $_.VectorIndex -eq 1 }) | Should -HaveCount 1
    }

    It 'applies SwiGLU to gate and up rows, halving the length' {
        $gateUp = Get-Mxfp4Tensor $sharded -Name 'model.layers.0.mlp.experts.gate_up_proj'
        $result = $gateUp | Invoke-Mxfp4MatVec -Expert 0 -Vector $x -Activation SwiGLU
        $result.Values | Should -HaveCount 64
    }

    It 'adds an explicit bias' {
        $bias = [float[]]::new(64)
        $bias[3] = 1.5
        $plain = $down | Invoke-Mxfp4MatVec -Expert 2 -Vector $x
        $biased = $down | Invoke-Mxfp4MatVec -Expert 2 -Vector $x -Bias $bias
        $biased.Values[3] - $plain.Values[3] | Should -BeGreaterThan 1.49
        $biased.Values[0] | Should -Be $plain.Values[0]
    }

    It 'picks up the checkpoint bias of the same expert with -WithBias' {
        $biasTensor = Get-SafetensorsHeader $sharded -Name 'model.layers.0.mlp.experts.down_proj_bias'
        $bias = ($biasTensor | ConvertFrom-Mxfp4 -Format F32).Data
        $expected = $down | Invoke-Mxfp4MatVec -Expert 3 -Vector $x -Bias ([float[]]$bias[(3 * 64)..(3 * 64 + 63)])
        $actual = $down | Invoke-Mxfp4MatVec -Expert 3 -Vector $x -WithBias
        $actual.Values | Should -Be $expected.Values
    }

    It 'refuses -Bias together with -WithBias' {
        { $down | Invoke-Mxfp4MatVec -Expert 0 -Vector $x -WithBias -Bias ([float[]]::new(64)) } |
            Should -Throw -ErrorId 'BiasConflict,Mxfp4.PowerShell.Commands.InvokeMxfp4MatVecCommand'
    }

    It 'reports a vector of the wrong length as ShapeMismatch' {
        { $down | Invoke-Mxfp4MatVec -Expert 0 -Vector ([float[]]::new(10)) -ErrorAction Stop } |
            Should -Throw -ErrorId 'ShapeMismatch,Mxfp4.PowerShell.Commands.InvokeMxfp4MatVecCommand'
    }

    It 'reports an expert out of range' {
        { $down | Invoke-Mxfp4MatVec -Expert 9 -Vector $x -ErrorAction Stop } |
            Should -Throw -ErrorId 'ExpertOutOfRange,Mxfp4.PowerShell.Commands.InvokeMxfp4MatVecCommand'
    }
}
