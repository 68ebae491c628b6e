@{
    RootModule           = 'Mxfp4.psm1'
    ModuleVersion        = '0.1.0'
    CompatiblePSEditions = @('Core')
    GUID                 = '5f0c7a3e-2b8d-4f7e-9a61-3c2d8e4b7a10'
    Author               = 'Mxfp4 contributors'
    CompanyName          = 'Mxfp4'
    Copyright            = '(c) Mxfp4 contributors. MIT License.'
    Description          = 'Reads safetensors checkpoints and dequantizes MXFP4 weights (gpt-oss, Hugging Face MXFP4) to F32, BF16 or F16 with bit-exact SIMD kernels.'
    PowerShellVersion    = '7.4'
    FormatsToProcess     = @('Mxfp4.Format.ps1xml')
    FunctionsToExport    = @()
    CmdletsToExport      = @(
        'Get-SafetensorsHeader'
        'Get-Mxfp4Tensor'
        'ConvertFrom-Mxfp4'
        'Invoke-Mxfp4MatVec'
        'ConvertTo-Mxfp4'
        'Test-SafetensorsCheckpoint'
        'Compare-SafetensorsCheckpoint'
    )
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('safetensors', 'mxfp4', 'gpt-oss', 'quantization', 'bf16', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/mxfp4/Mxfp4'
            LicenseUri   = 'https://github.com/mxfp4/Mxfp4/blob/main/LICENSE'
            ReleaseNotes = 'https://github.com/mxfp4/Mxfp4/blob/main/CHANGELOG.md'
        }
    }
}
