<#
    Should for the PesterCompat module: the Pester 5 operators the project uses, with Pester 5's input handling
    (pipeline items are collected; -Be, -BeExactly, -BeNullOrEmpty, -Contain and -HaveCount judge the whole
    collection, every other operator judges each item) and its failure messages.
#>

$script:ShouldOperators = @(
    'Be', 'BeExactly', 'BeNullOrEmpty', 'BeTrue', 'BeFalse', 'BeGreaterThan', 'BeLessThan', 'BeGreaterOrEqual',
    'BeLessOrEqual', 'BeLike', 'BeLikeExactly', 'Match', 'MatchExactly', 'Contain', 'BeIn', 'HaveCount', 'BeOfType',
    'Exist', 'Throw')
$script:ArrayInputOperators = @('Be', 'BeExactly', 'BeNullOrEmpty', 'Contain', 'HaveCount')
$script:OperatorsWithoutValue = @('BeNullOrEmpty', 'BeTrue', 'BeFalse', 'Exist')

function Format-PcValue {
    param($Value)
    if ($null -eq $Value) { return '$null' }
    if ($Value -is [bool]) { return "`$$($Value.ToString().ToLowerInvariant())" }
    if ($Value -is [string]) { return "'$Value'" }
    if ($Value -is [type]) { return "[$([Microsoft.PowerShell.ToStringCodeMethods]::Type([psobject] $Value))]" }
    if ($Value -is [scriptblock]) { return "{$Value}" }
    if ($Value -is [System.Collections.IDictionary]) {
        $pairs = foreach ($key in $Value.Keys) { "$key=$(Format-PcValue $Value[$key])" }
        return "@{$($pairs -join '; ')}"
    }
    if ($Value -is [System.Collections.IEnumerable]) {
        $elements = foreach ($element in $Value) { Format-PcValue $element }
        return "@($(@($elements) -join ', '))"
    }
    if ($Value -is [System.IFormattable]) { return $Value.ToString($null, [cultureinfo]::InvariantCulture) }
    "$Value"
}

function Format-PcBecause {
    param([string] $Because)
    if ([string]::IsNullOrWhiteSpace($Because)) { return '' }
    " because $($Because.Trim() -replace '^because\s'),"
}

function Test-PcNullOrEmptyArray {
    param($Value)
    $items = @($Value)
    $items.Count -eq 0 -or ($items.Count -eq 1 -and $null -eq $items[0])
}

function Test-PcArraysEqual {
    # Pester 5's -Be: collections compare element by element (recursively), scalars with the expected value on
    # the left of -eq so PowerShell converts the actual value to the expected type.
    param($Actual, $Expected, [bool] $CaseSensitive, [int] $Depth = 0)
    if ($Depth -gt 100) { throw 'Reached the recursion depth limit of 100 when comparing arrays. Is one of your arrays cyclic?' }
    $actualEmpty = Test-PcNullOrEmptyArray $Actual
    $expectedEmpty = Test-PcNullOrEmptyArray $Expected
    if ($actualEmpty -or $expectedEmpty) { return $actualEmpty -and $expectedEmpty }
    $actualItems = @($Actual)
    $expectedItems = @($Expected)
    if ($actualItems.Count -ne $expectedItems.Count) { return $false }
    for ($index = 0; $index -lt $actualItems.Count; $index++) {
        $left = $expectedItems[$index]
        $right = $actualItems[$index]
        if ($left -is [array] -or $right -is [array]) {
            if (-not (Test-PcArraysEqual -Actual $right -Expected $left -CaseSensitive $CaseSensitive -Depth ($Depth + 1))) { return $false }
        }
        elseif ($CaseSensitive) {
            if (-not ($left -ceq $right)) { return $false }
        }
        elseif (-not ($left -eq $right)) { return $false }
    }
    $true
}

function Get-PcStringDifference {
    param([string] $Expected, [string] $Actual, [bool] $CaseSensitive, [string] $Because)
    $length = [Math]::Max($Expected.Length, $Actual.Length)
    $index = 0
    while ($index -lt $length) {
        $left = if ($index -lt $Expected.Length) { [string] $Expected[$index] } else { $null }
        $right = if ($index -lt $Actual.Length) { [string] $Actual[$index] } else { $null }
        $differs = if ($CaseSensitive) { $left -cne $right } else { $left -ne $right }
        if ($differs) { break }
        $index++
    }
    $lines = [System.Collections.Generic.List[string]]::new()
    $lines.Add("Expected strings to be the same,$(Format-PcBecause $Because) but they were different.")
    if ($Expected.Length -ne $Actual.Length) {
        $lines.Add("Expected length: $($Expected.Length)")
        $lines.Add("Actual length:   $($Actual.Length)")
    }
    else {
        $lines.Add("String lengths are both $($Expected.Length).")
    }
    $lines.Add("Strings differ at index $index.")
    $lines.Add("Expected: '$Expected'")
    $lines.Add("But was:  '$Actual'")
    $lines -join "`n"
}

function Get-PcCount {
    param($Value)
    if ($null -eq $Value) { return 0 }
    if ($Value -is [System.Collections.ICollection]) { return $Value.Count }
    @($Value).Count
}

function Test-PcBeOperator {
    param($Actual, $Expected, [bool] $Negate, [string] $Because, [bool] $Exactly)
    $equal = Test-PcArraysEqual -Actual $Actual -Expected $Expected -CaseSensitive $Exactly
    if ($equal -ne $Negate) { return $null }
    if ($Negate) {
        $same = if ($Exactly) { 'exactly the same value' } else { 'the same value' }
        return "Expected $(Format-PcValue $Expected) to be different from the actual value,$(Format-PcBecause $Because) but got $same."
    }
    if ($Actual -is [string] -and $Expected -is [string]) {
        return Get-PcStringDifference -Expected $Expected -Actual $Actual -CaseSensitive $Exactly -Because $Because
    }
    $exactText = if ($Exactly) { 'exactly ' } else { '' }
    "Expected $exactText$(Format-PcValue $Expected),$(Format-PcBecause $Because) but got $(Format-PcValue $Actual)."
}

function Test-PcThrowOperator {
    param($Actual, [bool] $Negate, [string] $Because, [string] $ExpectedMessage, [string] $ErrorId, [type] $ExceptionType)
    if ($Actual -isnot [scriptblock]) {
        throw [System.ArgumentException]::new("Input is missing or not a ScriptBlock. Input to '-Throw' and '-Not -Throw' must be enclosed in curly braces.")
    }
    $thrown = $null
    try {
        $null = & $Actual
    }
    catch {
        $thrown = $_
    }
    $line = ''
    if ($null -ne $thrown -and $null -ne $thrown.InvocationInfo) {
        $line = (($thrown.InvocationInfo.PositionMessage -split '\r?\n' | Where-Object { $_ -match '\S' }) -join "`n    ") -replace '^At ', 'from '
    }
    if ($Negate) {
        if ($null -eq $thrown) { return [pscustomobject]@{ Failure = $null; Record = $null } }
        return [pscustomobject]@{ Failure = "Expected no exception to be thrown,$(Format-PcBecause $Because) but an exception `"$($thrown.Exception.Message)`" was thrown $line."; Record = $null }
    }
    $filters = [System.Collections.Generic.List[string]]::new()
    $buts = [System.Collections.Generic.List[string]]::new()
    if ($null -ne $ExceptionType) {
        $filters.Add("type $(Format-PcValue $ExceptionType)")
        if ($null -ne $thrown -and $thrown.Exception -isnot $ExceptionType) { $buts.Add("the exception type was $(Format-PcValue $thrown.Exception.GetType())") }
    }
    if (-not [string]::IsNullOrWhiteSpace($ExpectedMessage)) {
        $filters.Add("message like $(Format-PcValue ([System.Management.Automation.WildcardPattern]::Unescape($ExpectedMessage)))")
        if ($null -ne $thrown -and -not ($thrown.Exception.Message -like $ExpectedMessage)) { $buts.Add("the message was $(Format-PcValue $thrown.Exception.Message)") }
    }
    if (-not [string]::IsNullOrWhiteSpace($ErrorId)) {
        $filters.Add("FullyQualifiedErrorId $(Format-PcValue $ErrorId)")
        if ($null -ne $thrown -and -not ($thrown.FullyQualifiedErrorId -like $ErrorId)) { $buts.Add("the FullyQualifiedErrorId was $(Format-PcValue $thrown.FullyQualifiedErrorId)") }
    }
    if ($null -eq $thrown) { $buts.Add('no exception was thrown') }
    if ($buts.Count -eq 0) { return [pscustomobject]@{ Failure = $null; Record = $thrown } }
    $filterText = if ($filters.Count -gt 0) { " with $($filters -join ' and ')" } else { '' }
    [pscustomobject]@{ Failure = "Expected an exception$filterText to be thrown,$(Format-PcBecause $Because) but $($buts -join ' and '). $line".Trim(); Record = $null }
}

function Test-PcComparison {
    param($Actual, $Expected, [bool] $Negate, [string] $Because, [string] $Operator)
    $passed = switch ($Operator) {
        'BeGreaterThan' { $Actual -gt $Expected }
        'BeLessThan' { $Actual -lt $Expected }
        'BeGreaterOrEqual' { $Actual -ge $Expected }
        'BeLessOrEqual' { $Actual -le $Expected }
    }
    if ([bool] $passed -ne $Negate) { return $null }
    $relation = switch ($Operator) {
        'BeGreaterThan' { if ($Negate) { 'less than or equal to' } else { 'greater than' } }
        'BeLessThan' { if ($Negate) { 'greater than or equal to' } else { 'less than' } }
        'BeGreaterOrEqual' { if ($Negate) { 'less than' } else { 'greater than or equal to' } }
        'BeLessOrEqual' { if ($Negate) { 'greater than' } else { 'less than or equal to' } }
    }
    "Expected the actual value to be $relation $(Format-PcValue $Expected),$(Format-PcBecause $Because) but got $(Format-PcValue $Actual)."
}

function Test-PcPattern {
    param($Actual, $Expected, [bool] $Negate, [string] $Because, [string] $Operator)
    $passed = switch ($Operator) {
        'BeLike' { $Actual -like $Expected }
        'BeLikeExactly' { $Actual -clike $Expected }
        'Match' { $Actual -match $Expected }
        'MatchExactly' { $Actual -cmatch $Expected }
    }
    if ([bool] $passed -ne $Negate) { return $null }
    $kind = switch ($Operator) {
        'BeLike' { 'like wildcard' }
        'BeLikeExactly' { 'case sensitive like wildcard' }
        default { 'regular expression' }
    }
    $verb = if ($Operator -eq 'MatchExactly') { 'case sensitively match' } else { 'match' }
    $not = if ($Negate) { 'not ' } else { '' }
    $but = if ($Negate) { 'it did match' } else { 'it did not match' }
    "Expected $kind $(Format-PcValue $Expected) to $not$verb $(Format-PcValue $Actual),$(Format-PcBecause $Because) but $but."
}

function Get-PcAssertionFailure {
    # Returns the failure message of one assertion, or $null when it holds.
    param([string] $Operator, $Actual, $Expected, [bool] $Negate, [string] $Because)
    switch ($Operator) {
        'Be' { return Test-PcBeOperator -Actual $Actual -Expected $Expected -Negate $Negate -Because $Because -Exactly $false }
        'BeExactly' { return Test-PcBeOperator -Actual $Actual -Expected $Expected -Negate $Negate -Because $Because -Exactly $true }
        'BeNullOrEmpty' {
            $empty = $null -eq $Actual -or ($Actual -is [string] -and $Actual.Length -eq 0) -or ($Actual -isnot [string] -and $Actual -is [System.Collections.ICollection] -and $Actual.Count -eq 0)
            if ($empty -ne $Negate) { return $null }
            if ($Negate) { return "Expected a value,$(Format-PcBecause $Because) but got `$null or empty." }
            return "Expected `$null or empty,$(Format-PcBecause $Because) but got $(Format-PcValue $Actual)."
        }
        'BeTrue' {
            if ([bool] $Actual -ne $Negate) { return $null }
            $want = if ($Negate) { '$false' } else { '$true' }
            return "Expected $want,$(Format-PcBecause $Because) but got $(Format-PcValue $Actual)."
        }
        'BeFalse' {
            if ((-not [bool] $Actual) -ne $Negate) { return $null }
            $want = if ($Negate) { '$true' } else { '$false' }
            return "Expected $want,$(Format-PcBecause $Because) but got $(Format-PcValue $Actual)."
        }
        { $_ -in 'BeGreaterThan', 'BeLessThan', 'BeGreaterOrEqual', 'BeLessOrEqual' } {
            return Test-PcComparison -Actual $Actual -Expected $Expected -Negate $Negate -Because $Because -Operator $Operator
        }
        { $_ -in 'BeLike', 'BeLikeExactly', 'Match', 'MatchExactly' } {
            return Test-PcPattern -Actual $Actual -Expected $Expected -Negate $Negate -Because $Because -Operator $Operator
        }
        'Contain' {
            if ((@($Actual) -contains $Expected) -ne $Negate) { return $null }
            if ($Negate) { return "Expected $(Format-PcValue $Expected) to not be found in collection $(Format-PcValue $Actual),$(Format-PcBecause $Because) but it was found." }
            return "Expected $(Format-PcValue $Expected) to be found in collection $(Format-PcValue $Actual),$(Format-PcBecause $Because) but it was not found."
        }
        'BeIn' {
            if ((@($Expected) -contains $Actual) -ne $Negate) { return $null }
            if ($Negate) { return "Expected collection $(Format-PcValue $Expected) to not contain $(Format-PcValue $Actual),$(Format-PcBecause $Because) but it was found." }
            return "Expected collection $(Format-PcValue $Expected) to contain $(Format-PcValue $Actual),$(Format-PcBecause $Because) but it was not found."
        }
        'HaveCount' {
            if ($Expected -isnot [int] -and -not ($Expected -as [int] -is [int])) { throw [System.ArgumentException]::new("Count must be an integer, but got $(Format-PcValue $Expected).") }
            if ([int] $Expected -lt 0) { throw [System.ArgumentException]::new('Count must be 0 or larger.') }
            $count = Get-PcCount $Actual
            if (($count -eq [int] $Expected) -ne $Negate) { return $null }
            $got = if ($null -eq $Actual) { '$null' } else { "collection with size $count $(Format-PcValue $Actual)" }
            if ($Negate) { return "Expected a collection with size different from $(Format-PcValue $Expected),$(Format-PcBecause $Because) but got collection with that size $(Format-PcValue $Actual)." }
            return "Expected a collection with size $(Format-PcValue $Expected),$(Format-PcBecause $Because) but got $got."
        }
        'BeOfType' {
            # In argument mode "[int]" arrives as a string; Pester accepts it with or without the brackets.
            $type = if ($Expected -is [type]) { $Expected } else { ([string] $Expected -replace '^\[(.*)\]$', '$1') -as [type] }
            if ($null -eq $type) { throw [System.ArgumentException]::new("Could not find type [$Expected]. Make sure that the assembly that contains that type is loaded.") }
            if (($Actual -is $type) -ne $Negate) { return $null }
            $got = if ($null -eq $Actual) { '$null' } else { "$(Format-PcValue $Actual) with type $(Format-PcValue $Actual.GetType())" }
            $not = if ($Negate) { 'not ' } else { '' }
            return "Expected the value to ${not}have type $(Format-PcValue $type) or any of its subtypes,$(Format-PcBecause $Because) but got $got."
        }
        'Exist' {
            $exists = $null -ne $Actual -and "$Actual" -ne '' -and $ExecutionContext.SessionState.InvokeProvider.Item.Exists("$Actual", $false, $false)
            if ($exists -ne $Negate) { return $null }
            if ($Negate) { return "Expected path $(Format-PcValue "$Actual") to not exist,$(Format-PcBecause $Because) but it did exist." }
            return "Expected path $(Format-PcValue "$Actual") to exist,$(Format-PcBecause $Because) but it did not exist."
        }
    }
}

function Should {
    [CmdletBinding()]
    param(
        [Parameter(ValueFromPipeline = $true)] [AllowNull()] [AllowEmptyCollection()] [AllowEmptyString()] [object] $ActualValue,
        [Parameter(Position = 0)] [Alias('ExpectedType', 'RegularExpression')] [object] $ExpectedValue,
        [switch] $Not,
        [Alias('EQ')] [switch] $Be,
        [Alias('CEQ')] [switch] $BeExactly,
        [switch] $BeNullOrEmpty,
        [switch] $BeTrue,
        [switch] $BeFalse,
        [Alias('GT')] [switch] $BeGreaterThan,
        [Alias('LT')] [switch] $BeLessThan,
        [Alias('GE')] [switch] $BeGreaterOrEqual,
        [Alias('LE')] [switch] $BeLessOrEqual,
        [switch] $BeLike,
        [switch] $BeLikeExactly,
        [switch] $Match,
        [switch] $MatchExactly,
        [switch] $Contain,
        [switch] $BeIn,
        [switch] $HaveCount,
        [Alias('HaveType')] [switch] $BeOfType,
        [switch] $Exist,
        [switch] $Throw,
        [string] $Because,
        [string] $ExpectedMessage,
        [string] $ErrorId,
        [type] $ExceptionType,
        [switch] $PassThru
    )
    begin {
        $operators = @($script:ShouldOperators | Where-Object { $PSBoundParameters.ContainsKey($_) -and $PSBoundParameters[$_] })
        if ($operators.Count -ne 1) {
            $given = if ($operators.Count -eq 0) { 'none' } else { $operators -join ', ' }
            throw [System.Management.Automation.ParameterBindingException]::new("Should needs exactly one operator (for example -Be), but got: $given. Legacy Should syntax (without dashes) is not supported in Pester 5.")
        }
        $operator = $operators[0]
        $throwOnly = @('ExpectedMessage', 'ErrorId', 'ExceptionType', 'PassThru') | Where-Object { $PSBoundParameters.ContainsKey($_) }
        if ($operator -ne 'Throw' -and $throwOnly) {
            throw [System.Management.Automation.ParameterBindingException]::new("Parameter set cannot be resolved using the specified named parameters: -$(@($throwOnly)[0]) belongs to Should -Throw, not -$operator.")
        }
        if ($operator -in $script:OperatorsWithoutValue -and $PSBoundParameters.ContainsKey('ExpectedValue')) {
            throw [System.Management.Automation.ParameterBindingException]::new("A positional parameter cannot be found that accepts argument '$ExpectedValue': Should -$operator takes no expected value.")
        }
        if ($operator -eq 'Throw' -and $PSBoundParameters.ContainsKey('ExpectedValue')) {
            if ($PSBoundParameters.ContainsKey('ExpectedMessage')) {
                throw [System.Management.Automation.ParameterBindingException]::new("Should -Throw got the expected message twice (positionally and as -ExpectedMessage).")
            }
            $ExpectedMessage = [string] $ExpectedValue
        }
        $inputItems = [System.Collections.Generic.List[object]]::new()
    }
    process {
        if ($MyInvocation.ExpectingInput) { $inputItems.Add($ActualValue) }
    }
    end {
        $negate = $Not.IsPresent
        $subjects = if ($inputItems.Count -eq 0) {
            , @($null)
        }
        elseif ($operator -in $script:ArrayInputOperators) {
            $whole = if ($inputItems.Count -eq 1) { $inputItems[0] } else { $inputItems.ToArray() }
            , @(, $whole)
        }
        else {
            , $inputItems.ToArray()
        }
        foreach ($subject in $subjects) {
            $failure = $null
            if ($operator -eq 'Throw') {
                $outcome = Test-PcThrowOperator -Actual $subject -Negate $negate -Because $Because -ExpectedMessage $ExpectedMessage -ErrorId $ErrorId -ExceptionType $ExceptionType
                $failure = $outcome.Failure
                if ($null -eq $failure -and $PassThru) { $outcome.Record }
            }
            else {
                $failure = Get-PcAssertionFailure -Operator $operator -Actual $subject -Expected $ExpectedValue -Negate $negate -Because $Because
            }
            if ($null -ne $failure) {
                $record = [System.Management.Automation.ErrorRecord]::new([System.Exception]::new($failure), 'PesterAssertionFailed', 'InvalidResult', $null)
                $PSCmdlet.ThrowTerminatingError($record)
            }
        }
    }
}
