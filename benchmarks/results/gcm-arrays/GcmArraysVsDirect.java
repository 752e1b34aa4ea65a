import javax.crypto.*; import javax.crypto.spec.*; import java.nio.ByteBuffer;
public class GcmArraysVsDirect {
  public static void main(String[] a) throws Exception {
    int size=Integer.parseInt(a[0]); int iters=Integer.parseInt(a[1]);
    SecretKeySpec k=new SecretKeySpec(new byte[16],"AES"); Cipher c=Cipher.getInstance("AES/GCM/NoPadding"); Cipher d=Cipher.getInstance("AES/GCM/NoPadding");
    byte[] nonce=new byte[12]; byte[] aad=new byte[13];
    ByteBuffer src=ByteBuffer.allocateDirect(size), dst=ByteBuffer.allocateDirect(size+16), back=ByteBuffer.allocateDirect(size+16);
    byte[] hs=new byte[size], hd=new byte[size+16], hb=new byte[size+16];
    for (int round=0; round<5; round++) {
      long t0=System.nanoTime();
      for (int i=0;i<iters;i++){ nonce[11]=(byte)i; nonce[10]=(byte)(i>>8); nonce[9]=(byte)(i>>16);
        c.init(Cipher.ENCRYPT_MODE,k,new GCMParameterSpec(128,nonce)); c.updateAAD(aad); src.clear(); dst.clear(); c.doFinal(src,dst);
        d.init(Cipher.DECRYPT_MODE,k,new GCMParameterSpec(128,nonce)); d.updateAAD(aad); dst.flip(); back.clear(); d.doFinal(dst,back);}
      long t1=System.nanoTime();
      for (int i=0;i<iters;i++){ nonce[11]=(byte)i; nonce[10]=(byte)(i>>8); nonce[9]=(byte)(i>>16);
        src.clear(); src.get(hs); // copy in
        c.init(Cipher.ENCRYPT_MODE,k,new GCMParameterSpec(128,nonce)); c.updateAAD(aad); int n=c.doFinal(hs,0,size,hd,0);
        dst.clear(); dst.put(hd,0,n); // copy out
        dst.flip(); dst.get(hd,0,n);
        d.init(Cipher.DECRYPT_MODE,k,new GCMParameterSpec(128,nonce)); d.updateAAD(aad); int m=d.doFinal(hd,0,n,hb,0);
        back.clear(); back.put(hb,0,m);}
      long t2=System.nanoTime();
      System.out.printf("size %d: direct %.2f us/seal+open, heap %.2f us%n", size, (t1-t0)/1e3/iters, (t2-t1)/1e3/iters);
    }
  }
}
