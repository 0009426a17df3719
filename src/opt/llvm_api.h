/* The part of LLVM 16's C API the optimising tier calls, loaded at run time.
 *
 * weld does not link libLLVM: mapping and relocating it costs every weld process about a
 * tenth of a second and 180 MB of address space, whatever its tier. llvm_load.c opens the
 * library with dlopen when the tier is first asked for and fills `opt_llvm` with these
 * functions; lower.c and llvm.c call them by their usual names, which the defines at the
 * end of this header turn into calls through the table. A function added to the code must
 * be added to OPT_LLVM_FUNCS (the build fails otherwise: the name is then undeclared in
 * llvm_load.c's table, or a link error). */
#ifndef WELD_OPT_LLVM_API_H
#define WELD_OPT_LLVM_API_H

#include <stdbool.h>

#include <llvm-c/Analysis.h>
#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/IRReader.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <llvm-c/Support.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>

/* The X86 target's initialisers (what LLVMInitializeNativeTarget calls inline). */
void LLVMInitializeX86TargetInfo(void);
void LLVMInitializeX86Target(void);
void LLVMInitializeX86TargetMC(void);
void LLVMInitializeX86AsmPrinter(void);
void LLVMInitializeX86AsmParser(void); /* the access markers are inline assembly */

#define OPT_LLVM_FUNCS(X) \
  X(LLVMAddAttributeAtIndex) \
  X(LLVMBuildRetVoid) \
  X(LLVMVoidTypeInContext) \
  X(LLVMParseIRInContext) \
  X(LLVMCreateMemoryBufferWithMemoryRangeCopy) \
  X(LLVMInstructionClone) \
  X(LLVMInsertIntoBuilder) \
  X(LLVMSetSuccessor) \
  X(LLVMGetFirstBasicBlock) \
  X(LLVMAddCase) \
  X(LLVMAddFunction) \
  X(LLVMAddGlobal) \
  X(LLVMAddIncoming) \
  X(LLVMAppendBasicBlockInContext) \
  X(LLVMBasicBlockAsValue) \
  X(LLVMBuildAShr) \
  X(LLVMBuildAdd) \
  X(LLVMBuildAlloca) \
  X(LLVMBuildAnd) \
  X(LLVMBuildBitCast) \
  X(LLVMBuildBr) \
  X(LLVMBuildCall2) \
  X(LLVMBuildCondBr) \
  X(LLVMBuildFAdd) \
  X(LLVMBuildFCmp) \
  X(LLVMBuildFDiv) \
  X(LLVMBuildFMul) \
  X(LLVMBuildFNeg) \
  X(LLVMBuildFPExt) \
  X(LLVMBuildFPTrunc) \
  X(LLVMBuildFSub) \
  X(LLVMBuildGEP2) \
  X(LLVMBuildICmp) \
  X(LLVMBuildLShr) \
  X(LLVMBuildLoad2) \
  X(LLVMBuildMul) \
  X(LLVMBuildOr) \
  X(LLVMBuildPhi) \
  X(LLVMBuildPtrToInt) \
  X(LLVMBuildRet) \
  X(LLVMBuildSDiv) \
  X(LLVMBuildSExt) \
  X(LLVMBuildSIToFP) \
  X(LLVMBuildSRem) \
  X(LLVMBuildSelect) \
  X(LLVMBuildShl) \
  X(LLVMBuildStore) \
  X(LLVMBuildSub) \
  X(LLVMBuildSwitch) \
  X(LLVMBuildTrunc) \
  X(LLVMBuildUDiv) \
  X(LLVMBuildUIToFP) \
  X(LLVMBuildURem) \
  X(LLVMBuildUnreachable) \
  X(LLVMBuildXor) \
  X(LLVMBuildZExt) \
  X(LLVMConstAllOnes) \
  X(LLVMConstInt) \
  X(LLVMConstIntGetZExtValue) \
  X(LLVMConstIntToPtr) \
  X(LLVMConstNull) \
  X(LLVMConsumeError) \
  X(LLVMContextCreate) \
  X(LLVMContextDispose) \
  X(LLVMCreateBuilderInContext) \
  X(LLVMCreateEnumAttribute) \
  X(LLVMCreatePassBuilderOptions) \
  X(LLVMCreateStringAttribute) \
  X(LLVMCreateTargetDataLayout) \
  X(LLVMCreateTargetMachine) \
  X(LLVMDeleteBasicBlock) \
  X(LLVMDeleteFunction) \
  X(LLVMDisposeBuilder) \
  X(LLVMDisposeErrorMessage) \
  X(LLVMDisposeMemoryBuffer) \
  X(LLVMDisposeMessage) \
  X(LLVMDisposeModule) \
  X(LLVMDisposePassBuilderOptions) \
  X(LLVMDisposeTargetData) \
  X(LLVMDisposeTargetMachine) \
  X(LLVMDoubleTypeInContext) \
  X(LLVMFloatTypeInContext) \
  X(LLVMFunctionType) \
  X(LLVMGetAllocatedType) \
  X(LLVMGetBufferSize) \
  X(LLVMGetBufferStart) \
  X(LLVMGetEntryBasicBlock) \
  X(LLVMGetEnumAttributeKindForName) \
  X(LLVMGetErrorMessage) \
  X(LLVMGetFirstFunction) \
  X(LLVMGetFirstInstruction) \
  X(LLVMGetFirstUse) \
  X(LLVMSetFunctionCallConv) \
  X(LLVMSetInstructionCallConv) \
  X(LLVMCountBasicBlocks) \
  X(LLVMGetReturnType) \
  X(LLVMBuildExtractValue) \
  X(LLVMBuildInsertValue) \
  X(LLVMGetUndef) \
  X(LLVMStructTypeInContext) \
  X(LLVMGetHostCPUFeatures) \
  X(LLVMGetHostCPUName) \
  X(LLVMParseCommandLineOptions) \
  X(LLVMGetInlineAsm) \
  X(LLVMGetInsertBlock) \
  X(LLVMGetIntrinsicDeclaration) \
  X(LLVMGetLastBasicBlock) \
  X(LLVMGetMDKindIDInContext) \
  X(LLVMGetNamedFunction) \
  X(LLVMGetNamedGlobal) \
  X(LLVMGetNextFunction) \
  X(LLVMGetParam) \
  X(LLVMGetTargetFromTriple) \
  X(LLVMGetTypeKind) \
  X(LLVMGetValueName2) \
  X(LLVMGlobalGetValueType) \
  X(LLVMInitializeX86AsmParser) \
  X(LLVMInitializeX86AsmPrinter) \
  X(LLVMInitializeX86Target) \
  X(LLVMInitializeX86TargetInfo) \
  X(LLVMInitializeX86TargetMC) \
  X(LLVMInt16TypeInContext) \
  X(LLVMInt1TypeInContext) \
  X(LLVMInt32TypeInContext) \
  X(LLVMInt64TypeInContext) \
  X(LLVMInt8TypeInContext) \
  X(LLVMIntrinsicGetType) \
  X(LLVMIsAFPExtInst) \
  X(LLVMIsDeclaration) \
  X(LLVMLookupIntrinsicID) \
  X(LLVMMDNodeInContext) \
  X(LLVMModuleCreateWithNameInContext) \
  X(LLVMMoveBasicBlockAfter) \
  X(LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess) \
  X(LLVMOrcCreateLLJIT) \
  X(LLVMOrcCreateLLJITBuilder) \
  X(LLVMOrcCreateNewThreadSafeContext) \
  X(LLVMOrcCreateNewThreadSafeModule) \
  X(LLVMOrcDisposeLLJIT) \
  X(LLVMOrcDisposeThreadSafeContext) \
  X(LLVMOrcDisposeThreadSafeModule) \
  X(LLVMOrcJITDylibAddGenerator) \
  X(LLVMOrcJITDylibCreateResourceTracker) \
  X(LLVMOrcLLJITAddLLVMIRModuleWithRT) \
  X(LLVMOrcLLJITGetDataLayoutStr) \
  X(LLVMOrcLLJITGetGlobalPrefix) \
  X(LLVMOrcLLJITGetMainJITDylib) \
  X(LLVMOrcLLJITGetTripleString) \
  X(LLVMOrcLLJITLookup) \
  X(LLVMOrcReleaseResourceTracker) \
  X(LLVMOrcResourceTrackerRemove) \
  X(LLVMOrcThreadSafeContextGetContext) \
  X(LLVMPointerTypeInContext) \
  X(LLVMPositionBuilderAtEnd) \
  X(LLVMPositionBuilderBefore) \
  X(LLVMPrintModuleToString) \
  X(LLVMReplaceAllUsesWith) \
  X(LLVMRunPasses) \
  X(LLVMSetAlignment) \
  X(LLVMSetDataLayout) \
  X(LLVMSetLinkage) \
  X(LLVMSetMetadata) \
  X(LLVMSetModuleDataLayout) \
  X(LLVMSetOperand) \
  X(LLVMCountParamTypes) \
  X(LLVMGetParamTypes) \
  X(LLVMCountParams) \
  X(LLVMSetTailCall) \
  X(LLVMSetTarget) \
  X(LLVMSetValueName2) \
  X(LLVMSetVisibility) \
  X(LLVMTargetMachineEmitToMemoryBuffer) \
  X(LLVMTypeOf) \
  X(LLVMVerifyModule)

typedef struct opt_llvm_api {
#define OPT_LLVM_FIELD(n) __typeof__(&n) n;
  OPT_LLVM_FUNCS(OPT_LLVM_FIELD)
#undef OPT_LLVM_FIELD
} opt_llvm_api;
extern opt_llvm_api opt_llvm;

/* Opens libLLVM and fills opt_llvm, once per process; false (with the reason in *why, a
 * "not supported: ..." sentence) when the library or one of the functions is missing. */
bool opt_llvm_load(const char **why);

#ifndef OPT_LLVM_NO_DEFINES
#define LLVMAddAttributeAtIndex (opt_llvm.LLVMAddAttributeAtIndex)
#define LLVMAddCase (opt_llvm.LLVMAddCase)
#define LLVMAddFunction (opt_llvm.LLVMAddFunction)
#define LLVMAddGlobal (opt_llvm.LLVMAddGlobal)
#define LLVMAddIncoming (opt_llvm.LLVMAddIncoming)
#define LLVMAppendBasicBlockInContext (opt_llvm.LLVMAppendBasicBlockInContext)
#define LLVMBasicBlockAsValue (opt_llvm.LLVMBasicBlockAsValue)
#define LLVMBuildAShr (opt_llvm.LLVMBuildAShr)
#define LLVMBuildAdd (opt_llvm.LLVMBuildAdd)
#define LLVMBuildAlloca (opt_llvm.LLVMBuildAlloca)
#define LLVMBuildAnd (opt_llvm.LLVMBuildAnd)
#define LLVMBuildBitCast (opt_llvm.LLVMBuildBitCast)
#define LLVMBuildBr (opt_llvm.LLVMBuildBr)
#define LLVMBuildCall2 (opt_llvm.LLVMBuildCall2)
#define LLVMBuildCondBr (opt_llvm.LLVMBuildCondBr)
#define LLVMBuildFAdd (opt_llvm.LLVMBuildFAdd)
#define LLVMBuildFCmp (opt_llvm.LLVMBuildFCmp)
#define LLVMBuildFDiv (opt_llvm.LLVMBuildFDiv)
#define LLVMBuildFMul (opt_llvm.LLVMBuildFMul)
#define LLVMBuildFNeg (opt_llvm.LLVMBuildFNeg)
#define LLVMBuildFPExt (opt_llvm.LLVMBuildFPExt)
#define LLVMBuildFPTrunc (opt_llvm.LLVMBuildFPTrunc)
#define LLVMBuildFSub (opt_llvm.LLVMBuildFSub)
#define LLVMBuildGEP2 (opt_llvm.LLVMBuildGEP2)
#define LLVMBuildICmp (opt_llvm.LLVMBuildICmp)
#define LLVMBuildLShr (opt_llvm.LLVMBuildLShr)
#define LLVMBuildLoad2 (opt_llvm.LLVMBuildLoad2)
#define LLVMBuildMul (opt_llvm.LLVMBuildMul)
#define LLVMBuildOr (opt_llvm.LLVMBuildOr)
#define LLVMBuildPhi (opt_llvm.LLVMBuildPhi)
#define LLVMBuildPtrToInt (opt_llvm.LLVMBuildPtrToInt)
#define LLVMBuildRet (opt_llvm.LLVMBuildRet)
#define LLVMBuildSDiv (opt_llvm.LLVMBuildSDiv)
#define LLVMBuildSExt (opt_llvm.LLVMBuildSExt)
#define LLVMBuildSIToFP (opt_llvm.LLVMBuildSIToFP)
#define LLVMBuildSRem (opt_llvm.LLVMBuildSRem)
#define LLVMBuildSelect (opt_llvm.LLVMBuildSelect)
#define LLVMBuildShl (opt_llvm.LLVMBuildShl)
#define LLVMBuildStore (opt_llvm.LLVMBuildStore)
#define LLVMBuildSub (opt_llvm.LLVMBuildSub)
#define LLVMBuildSwitch (opt_llvm.LLVMBuildSwitch)
#define LLVMBuildTrunc (opt_llvm.LLVMBuildTrunc)
#define LLVMBuildUDiv (opt_llvm.LLVMBuildUDiv)
#define LLVMBuildUIToFP (opt_llvm.LLVMBuildUIToFP)
#define LLVMBuildURem (opt_llvm.LLVMBuildURem)
#define LLVMBuildUnreachable (opt_llvm.LLVMBuildUnreachable)
#define LLVMBuildXor (opt_llvm.LLVMBuildXor)
#define LLVMBuildZExt (opt_llvm.LLVMBuildZExt)
#define LLVMConstAllOnes (opt_llvm.LLVMConstAllOnes)
#define LLVMConstInt (opt_llvm.LLVMConstInt)
#define LLVMConstIntGetZExtValue (opt_llvm.LLVMConstIntGetZExtValue)
#define LLVMConstIntToPtr (opt_llvm.LLVMConstIntToPtr)
#define LLVMConstNull (opt_llvm.LLVMConstNull)
#define LLVMConsumeError (opt_llvm.LLVMConsumeError)
#define LLVMContextCreate (opt_llvm.LLVMContextCreate)
#define LLVMContextDispose (opt_llvm.LLVMContextDispose)
#define LLVMCreateBuilderInContext (opt_llvm.LLVMCreateBuilderInContext)
#define LLVMCreateEnumAttribute (opt_llvm.LLVMCreateEnumAttribute)
#define LLVMCreatePassBuilderOptions (opt_llvm.LLVMCreatePassBuilderOptions)
#define LLVMCreateStringAttribute (opt_llvm.LLVMCreateStringAttribute)
#define LLVMCreateTargetDataLayout (opt_llvm.LLVMCreateTargetDataLayout)
#define LLVMCreateTargetMachine (opt_llvm.LLVMCreateTargetMachine)
#define LLVMDeleteBasicBlock (opt_llvm.LLVMDeleteBasicBlock)
#define LLVMDeleteFunction (opt_llvm.LLVMDeleteFunction)
#define LLVMDisposeBuilder (opt_llvm.LLVMDisposeBuilder)
#define LLVMDisposeErrorMessage (opt_llvm.LLVMDisposeErrorMessage)
#define LLVMDisposeMemoryBuffer (opt_llvm.LLVMDisposeMemoryBuffer)
#define LLVMDisposeMessage (opt_llvm.LLVMDisposeMessage)
#define LLVMDisposeModule (opt_llvm.LLVMDisposeModule)
#define LLVMDisposePassBuilderOptions (opt_llvm.LLVMDisposePassBuilderOptions)
#define LLVMDisposeTargetData (opt_llvm.LLVMDisposeTargetData)
#define LLVMDisposeTargetMachine (opt_llvm.LLVMDisposeTargetMachine)
#define LLVMDoubleTypeInContext (opt_llvm.LLVMDoubleTypeInContext)
#define LLVMFloatTypeInContext (opt_llvm.LLVMFloatTypeInContext)
#define LLVMFunctionType (opt_llvm.LLVMFunctionType)
#define LLVMGetAllocatedType (opt_llvm.LLVMGetAllocatedType)
#define LLVMGetBufferSize (opt_llvm.LLVMGetBufferSize)
#define LLVMGetBufferStart (opt_llvm.LLVMGetBufferStart)
#define LLVMGetEntryBasicBlock (opt_llvm.LLVMGetEntryBasicBlock)
#define LLVMGetEnumAttributeKindForName (opt_llvm.LLVMGetEnumAttributeKindForName)
#define LLVMGetErrorMessage (opt_llvm.LLVMGetErrorMessage)
#define LLVMGetFirstFunction (opt_llvm.LLVMGetFirstFunction)
#define LLVMGetFirstInstruction (opt_llvm.LLVMGetFirstInstruction)
#define LLVMGetFirstUse (opt_llvm.LLVMGetFirstUse)
#define LLVMSetFunctionCallConv (opt_llvm.LLVMSetFunctionCallConv)
#define LLVMSetInstructionCallConv (opt_llvm.LLVMSetInstructionCallConv)
#define LLVMCountBasicBlocks (opt_llvm.LLVMCountBasicBlocks)
#define LLVMGetReturnType (opt_llvm.LLVMGetReturnType)
#define LLVMBuildExtractValue (opt_llvm.LLVMBuildExtractValue)
#define LLVMBuildInsertValue (opt_llvm.LLVMBuildInsertValue)
#define LLVMGetUndef (opt_llvm.LLVMGetUndef)
#define LLVMStructTypeInContext (opt_llvm.LLVMStructTypeInContext)
#define LLVMGetHostCPUFeatures (opt_llvm.LLVMGetHostCPUFeatures)
#define LLVMGetHostCPUName (opt_llvm.LLVMGetHostCPUName)
#define LLVMParseCommandLineOptions (opt_llvm.LLVMParseCommandLineOptions)
#define LLVMGetInlineAsm (opt_llvm.LLVMGetInlineAsm)
#define LLVMGetInsertBlock (opt_llvm.LLVMGetInsertBlock)
#define LLVMGetIntrinsicDeclaration (opt_llvm.LLVMGetIntrinsicDeclaration)
#define LLVMGetLastBasicBlock (opt_llvm.LLVMGetLastBasicBlock)
#define LLVMGetMDKindIDInContext (opt_llvm.LLVMGetMDKindIDInContext)
#define LLVMGetNamedFunction (opt_llvm.LLVMGetNamedFunction)
#define LLVMGetNamedGlobal (opt_llvm.LLVMGetNamedGlobal)
#define LLVMGetNextFunction (opt_llvm.LLVMGetNextFunction)
#define LLVMGetParam (opt_llvm.LLVMGetParam)
#define LLVMGetTargetFromTriple (opt_llvm.LLVMGetTargetFromTriple)
#define LLVMGetTypeKind (opt_llvm.LLVMGetTypeKind)
#define LLVMGetValueName2 (opt_llvm.LLVMGetValueName2)
#define LLVMGlobalGetValueType (opt_llvm.LLVMGlobalGetValueType)
#define LLVMInitializeX86AsmParser (opt_llvm.LLVMInitializeX86AsmParser)
#define LLVMInitializeX86AsmPrinter (opt_llvm.LLVMInitializeX86AsmPrinter)
#define LLVMInitializeX86Target (opt_llvm.LLVMInitializeX86Target)
#define LLVMInitializeX86TargetInfo (opt_llvm.LLVMInitializeX86TargetInfo)
#define LLVMInitializeX86TargetMC (opt_llvm.LLVMInitializeX86TargetMC)
#define LLVMInt16TypeInContext (opt_llvm.LLVMInt16TypeInContext)
#define LLVMInt1TypeInContext (opt_llvm.LLVMInt1TypeInContext)
#define LLVMInt32TypeInContext (opt_llvm.LLVMInt32TypeInContext)
#define LLVMInt64TypeInContext (opt_llvm.LLVMInt64TypeInContext)
#define LLVMInt8TypeInContext (opt_llvm.LLVMInt8TypeInContext)
#define LLVMIntrinsicGetType (opt_llvm.LLVMIntrinsicGetType)
#define LLVMIsAFPExtInst (opt_llvm.LLVMIsAFPExtInst)
#define LLVMIsDeclaration (opt_llvm.LLVMIsDeclaration)
#define LLVMLookupIntrinsicID (opt_llvm.LLVMLookupIntrinsicID)
#define LLVMMDNodeInContext (opt_llvm.LLVMMDNodeInContext)
#define LLVMModuleCreateWithNameInContext (opt_llvm.LLVMModuleCreateWithNameInContext)
#define LLVMMoveBasicBlockAfter (opt_llvm.LLVMMoveBasicBlockAfter)
#define LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess (opt_llvm.LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess)
#define LLVMOrcCreateLLJIT (opt_llvm.LLVMOrcCreateLLJIT)
#define LLVMOrcCreateLLJITBuilder (opt_llvm.LLVMOrcCreateLLJITBuilder)
#define LLVMOrcCreateNewThreadSafeContext (opt_llvm.LLVMOrcCreateNewThreadSafeContext)
#define LLVMOrcCreateNewThreadSafeModule (opt_llvm.LLVMOrcCreateNewThreadSafeModule)
#define LLVMOrcDisposeLLJIT (opt_llvm.LLVMOrcDisposeLLJIT)
#define LLVMOrcDisposeThreadSafeContext (opt_llvm.LLVMOrcDisposeThreadSafeContext)
#define LLVMOrcDisposeThreadSafeModule (opt_llvm.LLVMOrcDisposeThreadSafeModule)
#define LLVMOrcJITDylibAddGenerator (opt_llvm.LLVMOrcJITDylibAddGenerator)
#define LLVMOrcJITDylibCreateResourceTracker (opt_llvm.LLVMOrcJITDylibCreateResourceTracker)
#define LLVMOrcLLJITAddLLVMIRModuleWithRT (opt_llvm.LLVMOrcLLJITAddLLVMIRModuleWithRT)
#define LLVMOrcLLJITGetDataLayoutStr (opt_llvm.LLVMOrcLLJITGetDataLayoutStr)
#define LLVMOrcLLJITGetGlobalPrefix (opt_llvm.LLVMOrcLLJITGetGlobalPrefix)
#define LLVMOrcLLJITGetMainJITDylib (opt_llvm.LLVMOrcLLJITGetMainJITDylib)
#define LLVMOrcLLJITGetTripleString (opt_llvm.LLVMOrcLLJITGetTripleString)
#define LLVMOrcLLJITLookup (opt_llvm.LLVMOrcLLJITLookup)
#define LLVMOrcReleaseResourceTracker (opt_llvm.LLVMOrcReleaseResourceTracker)
#define LLVMOrcResourceTrackerRemove (opt_llvm.LLVMOrcResourceTrackerRemove)
#define LLVMOrcThreadSafeContextGetContext (opt_llvm.LLVMOrcThreadSafeContextGetContext)
#define LLVMPointerTypeInContext (opt_llvm.LLVMPointerTypeInContext)
#define LLVMPositionBuilderAtEnd (opt_llvm.LLVMPositionBuilderAtEnd)
#define LLVMPositionBuilderBefore (opt_llvm.LLVMPositionBuilderBefore)
#define LLVMPrintModuleToString (opt_llvm.LLVMPrintModuleToString)
#define LLVMReplaceAllUsesWith (opt_llvm.LLVMReplaceAllUsesWith)
#define LLVMRunPasses (opt_llvm.LLVMRunPasses)
#define LLVMSetAlignment (opt_llvm.LLVMSetAlignment)
#define LLVMSetDataLayout (opt_llvm.LLVMSetDataLayout)
#define LLVMSetLinkage (opt_llvm.LLVMSetLinkage)
#define LLVMSetMetadata (opt_llvm.LLVMSetMetadata)
#define LLVMSetModuleDataLayout (opt_llvm.LLVMSetModuleDataLayout)
#define LLVMSetOperand (opt_llvm.LLVMSetOperand)
#define LLVMCountParamTypes (opt_llvm.LLVMCountParamTypes)
#define LLVMGetParamTypes (opt_llvm.LLVMGetParamTypes)
#define LLVMCountParams (opt_llvm.LLVMCountParams)
#define LLVMSetTailCall (opt_llvm.LLVMSetTailCall)
#define LLVMSetTarget (opt_llvm.LLVMSetTarget)
#define LLVMSetValueName2 (opt_llvm.LLVMSetValueName2)
#define LLVMSetVisibility (opt_llvm.LLVMSetVisibility)
#define LLVMTargetMachineEmitToMemoryBuffer (opt_llvm.LLVMTargetMachineEmitToMemoryBuffer)
#define LLVMTypeOf (opt_llvm.LLVMTypeOf)
#define LLVMVerifyModule (opt_llvm.LLVMVerifyModule)
#define LLVMBuildRetVoid (opt_llvm.LLVMBuildRetVoid)
#define LLVMVoidTypeInContext (opt_llvm.LLVMVoidTypeInContext)
#define LLVMParseIRInContext (opt_llvm.LLVMParseIRInContext)
#define LLVMCreateMemoryBufferWithMemoryRangeCopy (opt_llvm.LLVMCreateMemoryBufferWithMemoryRangeCopy)
#define LLVMInstructionClone (opt_llvm.LLVMInstructionClone)
#define LLVMInsertIntoBuilder (opt_llvm.LLVMInsertIntoBuilder)
#define LLVMSetSuccessor (opt_llvm.LLVMSetSuccessor)
#define LLVMGetFirstBasicBlock (opt_llvm.LLVMGetFirstBasicBlock)
#endif

#endif
